import pg from 'pg';

/**
 * Creates (or updates the password of) a login role that is a member of barnum_app, the
 * least-privilege role the migrations create. The embedded database does this on every start;
 * on a managed database an operator runs the equivalent SQL once (docs/database.md).
 */
export async function ensureAppLogin(adminUrl: string, login: { user: string; password: string }): Promise<void> {
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(login.user)) {
		throw new Error(`invalid role name "${login.user}": use lower-case letters, digits and underscores`);
	}
	const client = new pg.Client({ connectionString: adminUrl });
	await client.connect();
	try {
		const role = client.escapeIdentifier(login.user);
		const password = client.escapeLiteral(login.password);
		const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login.user]);
		if (exists.rowCount === 0) {
			await client.query(`CREATE ROLE ${role} LOGIN PASSWORD ${password} IN ROLE barnum_app`);
		} else {
			await client.query(`ALTER ROLE ${role} LOGIN PASSWORD ${password}`);
			await client.query(`GRANT barnum_app TO ${role}`);
		}
	} finally {
		await client.end();
	}
}

export function withCredentials(url: string, user: string, password: string): string {
	const parsed = new URL(url);
	parsed.username = encodeURIComponent(user);
	parsed.password = encodeURIComponent(password);
	return parsed.toString();
}
