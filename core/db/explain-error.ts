import { BarnumError } from '../errors';

/**
 * Turns PostgreSQL's refusals of bad input into BarnumErrors a user can act on; anything else
 * (a lost connection, a bug) is returned unchanged.
 */
export function explainDatabaseError(error: unknown): unknown {
	const e = error as { code?: string; constraint?: string; message?: string };
	switch (e?.code) {
		case '22P02': // invalid_text_representation: "not-a-uuid"::uuid
		case '22007': // invalid_datetime_format
		case '22008': // datetime_field_overflow
			return new BarnumError('invalid_input', e.message ?? 'invalid value');
		case '23514': // check_violation
			return new BarnumError('invalid_input', `Rejected by the database rule ${e.constraint ?? ''}: ${e.message}`.trim(), {
				constraint: e.constraint,
			});
		case '23503': // foreign_key_violation
			return new BarnumError('not_found', e.message ?? 'referenced record does not exist', { constraint: e.constraint });
		case '23505': // unique_violation
			return new BarnumError('conflict', e.message ?? 'already exists', { constraint: e.constraint });
		default:
			return error;
	}
}
