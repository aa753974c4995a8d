import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import type { PostgresCredential } from '../../core/db/connection-config';
import { testBarnumConnection } from '../../core/db/connection-test';

/** The Barnum Postgres credential's "Test" button: connection, schema version, role advice. */
export async function barnumConnectionTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const result = await testBarnumConnection((credential.data ?? {}) as PostgresCredential);
	return { status: result.ok ? 'OK' : 'Error', message: result.message };
}
