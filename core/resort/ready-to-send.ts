import type { OutboundMessage } from '../outbox/types';
import { renderFallback } from './fallback';
import type { GuestKeyRing } from './guest-crypto';
import { bookingOf, revealGuestPhone } from './message';

/**
 * A booking message as a sender needs it: the guest's number opened (when keys are given) and
 * the property's fallback text filled in as `booking.fallback_text`, ready for a 132001.
 */
export function readyToSend(message: OutboundMessage, keys: GuestKeyRing | undefined): OutboundMessage {
	const opened = keys ? revealGuestPhone(message, keys) : message;
	const booking = bookingOf(opened);
	if (!booking?.fallback_message) return opened;
	return { ...opened, booking: { ...booking, fallback_text: renderFallback(booking.fallback_message, booking) } };
}
