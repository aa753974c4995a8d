import type { WebhookError } from './errors';
import type { StatusName } from './state';

/**
 * The bodies of the Cloud API's `messages` webhooks: status notifications for what the business
 * sent, and message notifications for what a customer wrote, in Meta's envelope.
 */

export interface BusinessNumber {
	/** The WhatsApp Business Account id: `entry[].id`. */
	businessAccountId: string;
	phoneNumberId: string;
	/** Digits only, as Meta sends it in `metadata`. */
	displayPhoneNumber: string;
}

export interface Pricing {
	billable: boolean;
	pricing_model: 'PMP';
	type: 'regular' | 'free_customer_service';
	category: 'utility' | 'marketing' | 'service';
}

export interface WebhookStatus {
	id: string;
	status: StatusName;
	timestamp: string;
	recipient_id: string;
	biz_opaque_callback_data?: string;
	conversation?: { id: string; expiration_timestamp?: string; origin: { type: Pricing['category'] } };
	pricing?: Pricing;
	errors?: WebhookError[];
}

export type WebhookInbound = {
	from: string;
	id: string;
	timestamp: string;
} & ({ type: 'text'; text: { body: string } } | { type: 'button'; button: { payload: string; text: string }; context: { from: string; id: string } });

function envelope(number: BusinessNumber, value: Record<string, unknown>): Record<string, unknown> {
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: number.businessAccountId,
				changes: [
					{
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
							...value,
						},
						field: 'messages',
					},
				],
			},
		],
	};
}

export function statusWebhook(number: BusinessNumber, status: WebhookStatus): Record<string, unknown> {
	return envelope(number, { statuses: [status] });
}

export function messageWebhook(number: BusinessNumber, contact: { name: string; waId: string }, message: WebhookInbound): Record<string, unknown> {
	return envelope(number, { contacts: [{ profile: { name: contact.name }, wa_id: contact.waId }], messages: [message] });
}
