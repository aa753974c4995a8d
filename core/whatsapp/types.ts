import type { WhatsAppTransport } from './transport';

/** The Barnum WhatsApp API credential (credentials/BarnumWhatsAppApi.credentials.ts). */
export interface WhatsAppConfig {
	accessToken: string;
	phoneNumberId: string;
	/** e.g. v21.0 */
	graphApiVersion: string;
	/** https://graph.facebook.com, or a sandbox that behaves like it. */
	baseUrl: string;
}

/** Where messages go and how: the credential's sending number and URL, and the transport that adds its token. */
export interface WhatsAppSender extends Pick<WhatsAppConfig, 'phoneNumberId' | 'graphApiVersion' | 'baseUrl'> {
	transport: WhatsAppTransport;
}

export interface TemplateMessage {
	/** E.164; WhatsApp wants digits, with or without the plus. */
	to: string;
	template: string;
	/** Meta's code: pt_PT, en, pt_BR, es … */
	language: string;
	bodyParameters: string[];
	/** The dynamic end of a URL button's link, e.g. "type=confirm&token=…". */
	urlButton?: { index: number; suffix: string };
	quickReplies?: Array<{ index: number; payload: string }>;
}

export interface SendResult {
	wamid: string;
	waId?: string;
}
