import type { Queryable } from './db/types';
import { BarnumError } from './errors';
import { sql } from './db/sql';
import { isUuid } from './appointments/transitions';

export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Opts a patient out of WhatsApp messages (STOP) or back in, by id or E.164 phone number. Events
 * for an opted-out patient are skipped at claim with the reason.
 */
export async function setOptOut(
	db: Queryable,
	input: { patientId?: string | null; phone?: string | null; optedOut: boolean },
): Promise<{ id: string; name: string; whatsapp_opted_out_at: Date | null }> {
	if (input.patientId && !isUuid(input.patientId)) {
		throw new BarnumError('invalid_input', `patientId must be a UUID, got "${input.patientId}"`, { field: 'patientId' });
	}
	if (!input.patientId && !(input.phone && E164.test(input.phone))) {
		throw new BarnumError('invalid_input', 'Give a patientId, or a phone number in E.164 form such as +351912345678', {
			field: input.phone ? 'phone' : 'patientId',
		});
	}
	const { rows } = await db.query<{ id: string; name: string; whatsapp_opted_out_at: Date | null }>(sql('contact-opt'), [input.patientId ?? null, input.optedOut, input.phone ?? null]);
	if (rows.length === 0) {
		throw new BarnumError('not_found', `No patient ${input.patientId ?? `with phone ${maskPhone(input.phone!)}`}`, {});
	}
	return rows[0];
}

/** +351912345678 → +351*****5678: enough to tell numbers apart in logs, not to call them. */
export function maskPhone(phone: string): string {
	if (phone.length <= 8) return '*'.repeat(phone.length);
	return `${phone.slice(0, 4)}${'*'.repeat(phone.length - 8)}${phone.slice(-4)}`;
}
