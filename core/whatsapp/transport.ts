/** One request to the Cloud API, without its authentication: the transport adds the credential. */
export interface TransportRequest {
	url: string;
	headers: Record<string, string>;
	/** JSON text. */
	body: string;
	timeoutMs: number;
}

/** Whatever status the Cloud API answered with: a transport resolves for every HTTP answer. */
export interface TransportResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

/** No answer at all: why (refused, unreachable, blocked by n8n's rules, or `no answer within N ms`). */
export interface TransportFailure {
	unreachable: string;
}

export const noAnswerWithin = (timeoutMs: number): TransportFailure => ({ unreachable: `no answer within ${timeoutMs} ms` });

/**
 * How a message reaches the Cloud API: resolves with any HTTP answer, or with why there was none
 * (a rejection is read the same way). Inside n8n it is n8n's request
 * helper with the credential's authentication (nodes/shared/whatsapp-transport.ts), so n8n's proxy
 * and outbound-request rules apply; the tests use Node's own client (test/helpers/whatsapp-sender.ts).
 */
export type WhatsAppTransport = (request: TransportRequest) => Promise<TransportResponse | TransportFailure>;
