import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import { checkWebhookSecrets } from '../../core/webhooks/receive';

/** The Barnum Webhook Secret credential's "Test" button: the secrets are checked, since there is nothing to call. */
export async function barnumWebhookSecretTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as { secrets?: string; verifyToken?: string };
	const result = checkWebhookSecrets(data.secrets, data.verifyToken);
	return { status: result.ok ? 'OK' : 'Error', message: result.message };
}
