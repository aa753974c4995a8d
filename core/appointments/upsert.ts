import type pg from 'pg';
import { type QueryName, sql } from '../db/sql';
import { inTransaction } from '../db/transaction';
import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';
import type { AppointmentRecord, LocationRecord, PatientRecord, ProfessionalRecord, SourceKey, SpecialtyRecord } from './feed-records';
import type { AppointmentStatus } from './transitions';

/**
 * Creates or updates rows of Barnum's built-in clinic tables (barnum_clinic) by the source
 * system's own key, for appointments that live elsewhere (Cal.com, another database) and reach
 * Barnum through n8n. A row is written only when something differs, so the same input twice writes
 * nothing, fires no trigger and plans no message twice; a change goes through the same trigger as
 * any direct change of the table (docs/database.md).
 */

/** created: inserted; updated: something differed; unchanged: nothing was written. */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export interface UpsertResult {
	id: string;
	outcome: UpsertOutcome;
}

async function upsertRow(db: Queryable, query: QueryName, values: unknown[]): Promise<UpsertResult> {
	const { rows } = await db.query<UpsertResult>(sql(query), values);
	return rows[0];
}

export function upsertSpecialty(db: Queryable, record: SpecialtyRecord): Promise<UpsertResult> {
	return upsertRow(db, 'clinic-specialty-upsert', [record.source, record.externalId, record.name]);
}

export async function upsertProfessional(db: Queryable, record: ProfessionalRecord, specialtyId?: string): Promise<UpsertResult> {
	let specialty = specialtyId ?? null;
	if (specialty === null && record.specialtyExternalId !== undefined) {
		specialty = await existingSpecialtyId(db, { source: record.source, externalId: record.specialtyExternalId });
	}
	return upsertRow(db, 'clinic-professional-upsert', [record.source, record.externalId, record.name, specialty]);
}

export function upsertPatient(db: Queryable, record: PatientRecord): Promise<UpsertResult> {
	return upsertRow(db, 'clinic-patient-upsert', [
		record.source,
		record.externalId,
		record.name,
		record.phone,
		record.email ?? null,
		record.locale ?? null,
	]);
}

export function upsertLocation(db: Queryable, record: LocationRecord): Promise<UpsertResult> {
	return upsertRow(db, 'clinic-location-upsert', [
		record.externalId,
		record.name,
		record.timezone ?? null,
		record.locale ?? null,
		record.quietHoursStart ?? null,
		record.quietHoursEnd ?? null,
		record.publicBaseUrl ?? null,
		record.whatsappPhoneNumberId ?? null,
	]);
}

/** A specialty a professional names by key must have been upserted before. */
async function existingSpecialtyId(db: Queryable, key: SourceKey): Promise<string> {
	const { rows } = await db.query<{ id: string }>(sql('clinic-specialty-id'), [key.source, key.externalId]);
	if (!rows[0]) {
		throw new BarnumError('not_found', `No specialty "${key.externalId}" from ${key.source}: upsert it first (Clinic Data → Upsert Specialty)`, {
			...key,
		});
	}
	return rows[0].id;
}

async function locationId(db: Queryable, externalId: string | undefined): Promise<string | null> {
	if (externalId === undefined) return null;
	const { rows } = await db.query<{ id: string }>(sql('clinic-location-id'), [externalId]);
	if (!rows[0]) {
		throw new BarnumError('not_found', `No location "${externalId}": upsert it first (Clinic Data → Upsert Location)`, {
			locationExternalId: externalId,
		});
	}
	return rows[0].id;
}

export interface AppointmentUpsertResult extends UpsertResult {
	source: string;
	externalId: string;
	status: AppointmentStatus;
	startsAt: Date;
	patient: UpsertResult;
	professional?: UpsertResult;
	specialty?: UpsertResult;
	/** The appointment was found by previousExternalId and took the new id. */
	rekeyed: boolean;
}

/**
 * An appointment with its patient (and professional, specialty), in one transaction: either all
 * of it is written or nothing is. A moved start moves its reminders, a cancellation cancels them,
 * a no-show starts the reschedule prompt, exactly as the trigger does for any change.
 */
export function upsertAppointment(pool: pg.Pool, record: AppointmentRecord): Promise<AppointmentUpsertResult> {
	return inTransaction(pool, async (client) => {
		const location = await locationId(client, record.locationExternalId);
		const patient = await upsertPatient(client, record.patient);
		const specialty = record.specialty ? await upsertSpecialty(client, record.specialty) : undefined;
		const professional = record.professional ? await upsertProfessional(client, record.professional, specialty?.id) : undefined;
		let rekeyed = false;
		if (record.previousExternalId !== undefined && record.previousExternalId !== record.externalId) {
			const moved = await client.query(sql('clinic-appointment-rekey'), [record.source, record.previousExternalId, record.externalId]);
			rekeyed = moved.rowCount === 1;
		}
		const start = 'instant' in record.start ? record.start : undefined;
		const wall = 'date' in record.start ? record.start : undefined;
		const { rows } = await client.query<UpsertResult & { status: AppointmentStatus; starts_at: Date }>(sql('clinic-appointment-upsert'), [
			record.source,
			record.externalId,
			patient.id,
			professional?.id ?? null,
			specialty?.id ?? null,
			location,
			start?.instant ?? null,
			wall?.date ?? null,
			wall?.time ?? null,
			record.durationMinutes ?? 30,
			record.status,
			record.cancellationReason ?? null,
			record.notes ?? null,
		]);
		const row = rows[0];
		return {
			id: row.id,
			outcome: rekeyed && row.outcome === 'unchanged' ? 'updated' : row.outcome,
			source: record.source,
			externalId: record.externalId,
			status: row.status,
			startsAt: row.starts_at,
			patient,
			...(professional ? { professional } : {}),
			...(specialty ? { specialty } : {}),
			rekeyed,
		};
	});
}

export interface StatusUpdateResult {
	id: string;
	outcome: 'updated' | 'unchanged';
	previousStatus: AppointmentStatus;
	status: AppointmentStatus;
	startsAt: Date;
}

/**
 * Sets the status of an appointment found by the source's key, as a direct change of the table
 * would (Cal.com's no-show carries the booking's uid and nothing else to upsert with).
 */
export async function setAppointmentStatusByKey(
	db: Queryable,
	key: SourceKey & { status: AppointmentStatus; reason?: string },
): Promise<StatusUpdateResult> {
	const { rows } = await db.query<{ id: string; outcome: 'updated' | 'unchanged'; previous_status: AppointmentStatus; status: AppointmentStatus; starts_at: Date }>(
		sql('clinic-appointment-set-status'),
		[key.source, key.externalId, key.status, key.reason ?? null],
	);
	if (!rows[0]) {
		throw new BarnumError('not_found', `No appointment "${key.externalId}" from ${key.source}`, { source: key.source, externalId: key.externalId });
	}
	const row = rows[0];
	return { id: row.id, outcome: row.outcome, previousStatus: row.previous_status, status: row.status, startsAt: row.starts_at };
}
