import type { Queryable } from './types';

/** Every problem barnum.contract_problems() finds (none: the contract holds). */
export async function contractProblems(db: Queryable): Promise<string[]> {
	const { rows } = await db.query<{ problem: string }>('SELECT p AS problem FROM barnum.contract_problems() p');
	return rows.map((r) => r.problem);
}
