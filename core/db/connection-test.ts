import pg from 'pg';
import { contractProblems } from './contract-problems';
import { describeSchemaStatus, schemaStatus } from './schema-version';
import type { PostgresCredential } from './connection-config';
import { connectionConfig } from './connection-config';

/**
 * What n8n shows when a user tests the Barnum Postgres credential: can we connect, is the Barnum
 * schema there at the version this package expects, and is the login a least-privilege one.
 */
export async function testBarnumConnection(credential: PostgresCredential): Promise<{ ok: boolean; message: string }> {
	let client: pg.Client | undefined;
	try {
		client = new pg.Client({ ...connectionConfig(credential), connectionTimeoutMillis: 10_000 });
		await client.connect();
		const status = await schemaStatus(client);
		if (status.state !== 'current') return { ok: false, message: `Connected, but ${describeSchemaStatus(status)}` };
		const problems = await contractProblems(client);
		if (problems.length > 0) return { ok: false, message: `Connected, but the appointment contract does not hold: ${problems.join('; ')}` };
		const role = await client.query<{ member: boolean; rolsuper: boolean }>(
			"SELECT pg_has_role(current_user, 'barnum_app', 'MEMBER') AS member, rolsuper FROM pg_roles WHERE rolname = current_user",
		);
		const me = role.rows[0];
		const advice = me && (me.rolsuper || !me.member) ? ' (note: use a login that is a member of barnum_app, not a superuser)' : '';
		return { ok: true, message: `Connected: ${describeSchemaStatus(status)}${advice}` };
	} catch (error) {
		const err = error as NodeJS.ErrnoException;
		const hint =
			err.code === 'ECONNREFUSED'
				? 'nothing is listening at that host and port'
				: err.code === 'ENOTFOUND'
					? 'the host name does not resolve'
					: err.code === '28P01'
						? 'wrong user or password'
						: err.code === '3D000'
							? 'that database does not exist'
							: err.message;
		return { ok: false, message: `Could not connect: ${hint}` };
	} finally {
		await client?.end().catch(() => undefined);
	}
}
