import type { Queryable } from '../../core/db/types';

/** Inserts a specialty, a professional and a patient; returns their ids. */
export async function seedClinic(db: Queryable, patient: { name?: string; phone?: string | null } = {}) {
	const specialty = await db.query<{ id: string }>("INSERT INTO specialties (name) VALUES ('Medicina Dentária') RETURNING id");
	const professional = await db.query<{ id: string }>(
		"INSERT INTO professionals (name, specialty_id) VALUES ('Dr. Maria Santos', $1) RETURNING id",
		[specialty.rows[0].id],
	);
	const created = await db.query<{ id: string }>('INSERT INTO patients (name, phone) VALUES ($1, $2) RETURNING id', [
		patient.name ?? 'João Silva',
		patient.phone === undefined ? '+351912345678' : patient.phone,
	]);
	return { specialtyId: specialty.rows[0].id, professionalId: professional.rows[0].id, patientId: created.rows[0].id };
}

/** An appointment `daysAhead` days from today at 10:00 clinic time. */
export async function insertAppointment(
	db: Queryable,
	ids: { patientId: string; professionalId?: string; specialtyId?: string },
	options: { status?: string; date?: string; time?: string; daysAhead?: number } = {},
): Promise<string> {
	const result = await db.query<{ id: string }>(
		`INSERT INTO appointments (patient_id, professional_id, specialty_id, date, time, status)
		 VALUES ($1, $2, $3, coalesce($4::date, current_date + $5::int), $6, $7) RETURNING id`,
		[
			ids.patientId,
			ids.professionalId ?? null,
			ids.specialtyId ?? null,
			options.date ?? null,
			options.daysAhead ?? 3,
			options.time ?? '10:00',
			options.status ?? 'scheduled',
		],
	);
	return result.rows[0].id;
}
