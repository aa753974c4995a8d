import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { noAnswerWithin, type WhatsAppTransport } from '../../core/whatsapp/transport';
import type { WhatsAppConfig, WhatsAppSender } from '../../core/whatsapp/types';

export const WHATSAPP_CREDENTIAL = 'barnumWhatsAppApi';

interface FullResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/**
 * What n8n's request helper wrapped in its NodeApiError: the network error, with its own message
 * and code (n8n's message is a generic rewording such as "The service refused the connection").
 * Its cause, or its errorResponse when the error came from another realm.
 */
function networkError(error: unknown): { message: string; code?: string } {
	const wrapped = error as { cause?: unknown; errorResponse?: unknown; message: string };
	const original = [wrapped.cause, wrapped.errorResponse].find(
		(candidate): candidate is { message: string; code?: string } => typeof (candidate as { message?: unknown } | undefined)?.message === 'string',
	);
	return original ? { message: original.message, code: original.code } : { message: wrapped.message };
}

/**
 * Sends through n8n's HTTP helper with the credential's authentication (its `authenticate`: the
 * Bearer header), so n8n's proxy settings, outbound-request (SSRF) rules and the execution's
 * cancellation apply as they do to n8n's own nodes. Every HTTP answer comes back as it is
 * (`ignoreHttpStatusErrors`, `returnFullResponse`): core/whatsapp/client.ts reads Meta's error
 * codes and Retry-After from it.
 */
export function n8nTransport(context: IExecuteFunctions, credential: ICredentialDataDecryptedObject): WhatsAppTransport {
	// The credential is already decrypted: handing it over spares n8n a decryption per message.
	const credentialsDecrypted = { id: '', name: WHATSAPP_CREDENTIAL, type: WHATSAPP_CREDENTIAL, data: credential };
	return async ({ url, headers, body, timeoutMs }) => {
		const options: IHttpRequestOptions = {
			method: 'POST',
			url,
			headers,
			body,
			timeout: timeoutMs,
			encoding: 'text',
			json: false,
			ignoreHttpStatusErrors: true,
			returnFullResponse: true,
		};
		let response: FullResponse;
		try {
			response = (await context.helpers.httpRequestWithAuthentication.call(context, WHATSAPP_CREDENTIAL, options, { credentialsDecrypted })) as FullResponse;
		} catch (error) {
			const { message, code } = networkError(error);
			return code === 'ECONNABORTED' && /timeout/i.test(message) ? noAnswerWithin(timeoutMs) : { unreachable: message };
		}
		return {
			status: response.statusCode,
			headers: response.headers,
			body: typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? ''),
		};
	};
}

/** The Barnum WhatsApp API credential as a sender through n8n. */
export function n8nSender(context: IExecuteFunctions, credential: ICredentialDataDecryptedObject): WhatsAppSender {
	const config = credential as unknown as WhatsAppConfig;
	return { baseUrl: config.baseUrl, graphApiVersion: config.graphApiVersion, phoneNumberId: config.phoneNumberId, transport: n8nTransport(context, credential) };
}
