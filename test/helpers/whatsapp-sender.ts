import http from 'node:http';
import https from 'node:https';
import { noAnswerWithin, type WhatsAppTransport } from '../../core/whatsapp/transport';
import type { WhatsAppConfig, WhatsAppSender } from '../../core/whatsapp/types';

// One keep-alive agent per protocol for the whole process: a batch of sends reuses a handful of
// connections instead of opening one per message. Node's fetch would do the same, but it streams
// every request body through WHATWG streams, which cost more CPU than the rest of a send.
const agents = {
	'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
	'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * A transport over Node's own HTTP client, with the access token as a Bearer header: for the tests
 * that call core directly, outside n8n. It knows nothing of n8n's proxy or outbound-request settings.
 */
export function nodeHttpTransport(accessToken: string): WhatsAppTransport {
	return ({ url: target, headers, body, timeoutMs }) =>
		new Promise((resolve, reject) => {
			const url = new URL(target);
			const transport = url.protocol === 'https:' ? https : http;
			const request = transport.request(
				url,
				{
					method: 'POST',
					headers: { ...headers, authorization: `Bearer ${accessToken}`, 'content-length': String(Buffer.byteLength(body)) },
					agent: agents[url.protocol as 'http:' | 'https:'],
				},
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('error', fail);
					response.on('end', () => {
						clearTimeout(timer);
						resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
					});
				},
			);
			const timer = setTimeout(() => request.destroy(new Error(noAnswerWithin(timeoutMs).unreachable)), timeoutMs);
			function fail(error: Error) {
				clearTimeout(timer);
				reject(error);
			}
			request.on('error', fail);
			request.end(body);
		});
}

/** A sender for the credential over Node's own HTTP client. */
export function directSender(config: WhatsAppConfig): WhatsAppSender {
	return { baseUrl: config.baseUrl, graphApiVersion: config.graphApiVersion, phoneNumberId: config.phoneNumberId, transport: nodeHttpTransport(config.accessToken) };
}
