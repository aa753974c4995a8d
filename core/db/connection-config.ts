import type pg from 'pg';
import { BarnumError } from '../errors';

/** The fields of the Barnum Postgres credential (credentials/BarnumPostgresApi.credentials.ts). */
export interface PostgresCredential {
	connectionString?: string;
	host?: string;
	port?: number;
	database?: string;
	user?: string;
	password?: string;
	ssl?: 'disable' | 'require' | 'verify-full';
	/** false behind a pooler in transaction mode (see core/db/prepared.ts); default true. */
	preparedStatements?: boolean;
	/** Opens guests' encrypted phone numbers (resort channel); not a connection setting. */
	guestDataKey?: string;
}

/** Turns the credential into a pg connection config; a connection string wins when given. */
export function connectionConfig(credential: PostgresCredential): pg.ClientConfig {
	const ssl =
		credential.ssl === 'require' ? { rejectUnauthorized: false } : credential.ssl === 'verify-full' ? { rejectUnauthorized: true } : undefined;
	if (credential.connectionString) {
		if (!/^postgres(ql)?:\/\//.test(credential.connectionString)) {
			throw new BarnumError('invalid_input', 'The connection string must start with postgres:// or postgresql://', {
				field: 'connectionString',
			});
		}
		return { connectionString: credential.connectionString, ...(ssl ? { ssl } : {}) };
	}
	if (!credential.host || !credential.database || !credential.user) {
		throw new BarnumError('invalid_input', 'Give a connection string, or host, database and user', { field: 'host' });
	}
	return {
		host: credential.host,
		port: credential.port ?? 5432,
		database: credential.database,
		user: credential.user,
		password: credential.password,
		...(ssl ? { ssl } : {}),
	};
}
