import { sql } from '../db/sql';
import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';

/** Removes link tokens (the patients' and the staff's "handled" links) expired more than `olderThanDays` days ago; returns how many. */
export async function purgeExpiredTokens(db: Queryable, olderThanDays: number): Promise<number> {
	if (!Number.isInteger(olderThanDays) || olderThanDays < 0) {
		throw new BarnumError('invalid_input', `--older-than-days must be a whole number of days, got ${olderThanDays}`);
	}
	const result = await db.query(sql('tokens-purge'), [olderThanDays]);
	const handled = await db.query(sql('attention-links-purge'), [olderThanDays]);
	return (result.rowCount ?? 0) + (handled.rowCount ?? 0);
}
