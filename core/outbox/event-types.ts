/** Event types Barnum's own triggers and operations produce, for pickers in the n8n editor. */
export const KNOWN_EVENT_TYPES = [
	{ value: 'appointment.pre_confirmed', name: 'Appointment Pre-Confirmation', description: 'A new appointment: ask the patient to confirm' },
	{ value: 'appointment.reminder', name: 'Appointment Reminder', description: 'Before the appointment, at the offsets in settings' },
	{ value: 'appointment.no_show', name: 'No-Show Reschedule Prompt', description: 'An hour after a no-show: offer a new time' },
	{ value: 'appointment.review_request', name: 'Review Request', description: 'Two hours after a completed appointment' },
	{ value: 'patient.reactivation', name: 'Patient Reactivation', description: 'A patient with no visit in a while' },
	{ value: 'booking.reminder', name: 'Booking Reminder', description: 'Abandoned booking: reminder #1 (1 h after the guest left) and #2 (24 h later)' },
	{ value: 'booking.confirmation', name: 'Reservation Confirmation', description: 'A confirmed reservation, at once' },
	{ value: 'booking.review_request', name: 'Post-Stay Review Request', description: 'After check-out, at the property\'s review time' },
	{ value: 'booking.pre_arrival', name: 'Pre-Arrival Message', description: 'Days before check-in, at the property\'s pre-arrival time' },
	{ value: 'booking.check_out', name: 'Check-Out Message', description: 'The morning of departure' },
	{ value: 'booking.modification', name: 'Corrected Confirmation', description: 'The dates of a confirmed reservation changed' },
] as const;

/** Splits "a.b, c.d" into a clean, de-duplicated list; an empty result means "all types". */
export function parseEventTypes(selected: string[], other: string): string[] {
	const extra = other
		.split(',')
		.map((value) => value.trim())
		.filter((value) => value.length > 0);
	return [...new Set([...selected, ...extra])];
}
