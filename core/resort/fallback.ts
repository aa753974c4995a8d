import type { OutboundMessage } from '../outbox/types';
import { bookingOf, type BookingMessage } from './message';

/** WhatsApp Cloud API: "Template name does not exist in the translation". */
export const TEMPLATE_NOT_FOUND = 132001;

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

function values(booking: BookingMessage): Record<string, string | undefined> {
	return {
		guest_name: booking.guest?.name,
		property_name: booking.property.name,
		booking_reference: booking.confirmation_code ?? booking.reference,
		check_in: booking.check_in,
		check_out: booking.check_out,
		resume_url: booking.resume_url,
		room_type: booking.room_type,
	};
}

/** Fills {{guest_name}}, {{property_name}}, {{booking_reference}}, {{check_in}} … ; unknown or missing ones become empty. */
export function renderFallback(text: string, booking: BookingMessage): string {
	const known = values(booking);
	return text
		.replace(PLACEHOLDER, (_match, name: string) => known[name] ?? '')
		.replace(/[ \t]{2,}/g, ' ')
		.trim();
}

/**
 * The property's fallback text for a booking message whose template WhatsApp does not have
 * (error 132001), ready to send as plain text; undefined for any other error or message. Note that
 * WhatsApp accepts free text only within 24 hours of the guest's last message to the business:
 * outside it the fallback fails too (131047) and the event is dead-lettered with that reason.
 */
export function fallbackMessage(message: OutboundMessage, whatsappCode: number | undefined): string | undefined {
	if (whatsappCode !== TEMPLATE_NOT_FOUND) return undefined;
	const booking = bookingOf(message);
	if (!booking?.fallback_message) return undefined;
	return renderFallback(booking.fallback_message, booking);
}
