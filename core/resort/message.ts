import type { OutboundMessage } from '../outbox/types';
import { decryptPhone, type GuestKeyRing } from './guest-crypto';

/** The `booking` part of an outbound message (built at claim by barnum_booking_message, migration 007). */
export interface BookingMessage {
	id: string;
	reference: string;
	platform: string;
	status: string;
	check_in?: string;
	check_out?: string;
	adults?: number;
	children?: number;
	room_type?: string;
	total_amount?: number;
	currency?: string;
	resume_url?: string;
	confirmation_code?: string;
	expected_check_in_at?: string;
	reminder_number?: number;
	guest?: { id: string; name?: string; locale: string; phone_encrypted?: string; phone?: string };
	property: { id: string; external_id: string; name: string; timezone: string; locale: string };
	template: { name?: string; language: string };
	fallback_message?: string;
	/** fallback_message with its placeholders filled (readyToSend). */
	fallback_text?: string;
}

export function bookingOf(message: OutboundMessage): BookingMessage | undefined {
	const booking = message.booking;
	return typeof booking === 'object' && booking !== null ? (booking as BookingMessage) : undefined;
}

/**
 * The message with the guest's phone number decrypted into `booking.guest.phone` (and the
 * ciphertext removed), for the consumer that sends it — the Outbox Trigger, the push dispatcher.
 * The database hands out only ciphertext; this is the one place it is opened. Messages without an
 * encrypted number are returned as they are. Throws GuestDataError when no configured key opens it.
 */
export function revealGuestPhone(message: OutboundMessage, keys: GuestKeyRing): OutboundMessage {
	const booking = bookingOf(message);
	const encrypted = booking?.guest?.phone_encrypted;
	if (!booking?.guest || !encrypted) return message;
	const guest = { ...booking.guest, phone: decryptPhone(keys, encrypted) };
	delete guest.phone_encrypted;
	return { ...message, booking: { ...booking, guest } };
}

