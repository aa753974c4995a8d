import { cancelMessages } from '../store';
import { schedule, type Handling } from './handling';

/** The messages that belong to the stay's dates: moved together when the dates change. */
export const STAY_MESSAGES = ['booking.pre_arrival', 'booking.check_out', 'booking.review_request'];

/**
 * Plans the pre-arrival and check-out messages of a confirmed stay from its dates, replacing any
 * planned before. A message whose time has passed (a booking made the day before arrival) is not
 * planned, and the answer says so.
 */
export async function planStay(h: Handling, reason: string): Promise<void> {
	h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.pre_arrival', 'booking.check_out'], reason);
	if (h.booking.status === 'confirmed' && h.booking.check_in) {
		const planned = await schedule(h, 'pre-arrival message', { eventType: 'booking.pre_arrival', plan: 'pre_arrival' });
		if (!planned && !h.notes.some((n) => n.startsWith('pre-arrival message not scheduled'))) {
			h.notes.push('pre-arrival message not scheduled: its time has passed or the property has it off');
		}
	}
	if (h.booking.check_out) {
		const planned = await schedule(h, 'check-out message', { eventType: 'booking.check_out', plan: 'check_out' });
		if (!planned && !h.notes.some((n) => n.startsWith('check-out message not scheduled'))) {
			h.notes.push('check-out message not scheduled: its time has passed');
		}
	}
}
