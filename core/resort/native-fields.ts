import { BarnumError } from '../errors';

/**
 * The n8n Booking resource's "Record Event" builds Barnum's native event from its fields (or takes
 * it as JSON), so what it records is validated by the same schema as the webhook receiver's input.
 */

export interface BookingEventFields {
	eventType: string;
	eventId: string;
	platform?: string;
	propertyId: string;
	bookingReference: string;
	/** A date-time; without a zone it is read in the n8n process's timezone. Empty: now. */
	occurredAt?: string;
	guestName?: string;
	guestPhone?: string;
	guestLocale?: string;
	propertyName?: string;
	propertyTimezone?: string;
	checkIn?: string;
	checkOut?: string;
	adults?: number;
	children?: number;
	roomType?: string;
	totalAmount?: number;
	currency?: string;
	resumeUrl?: string;
	confirmationCode?: string;
	lastActivityAt?: string;
}

/** Empty strings are fields left blank, not values. */
function present<T>(value: T | '' | null | undefined): T | undefined {
	return value === '' || value === null || value === undefined ? undefined : value;
}

function instant(value: string | undefined, field: string): string | undefined {
	const text = present(value);
	if (text === undefined) return undefined;
	const at = new Date(text);
	if (Number.isNaN(at.getTime())) throw new BarnumError('invalid_input', `${field}: must be a date-time, got "${text}"`, { field });
	return at.toISOString();
}

/** Drops the keys whose value is undefined, so an empty sub-object is left out. */
function defined(record: Record<string, unknown>): Record<string, unknown> | undefined {
	const entries = Object.entries(record).filter(([, value]) => value !== undefined);
	return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export function nativeEventFromFields(fields: BookingEventFields): Record<string, unknown> {
	return {
		id: fields.eventId.trim(),
		type: fields.eventType,
		platform: present(fields.platform?.trim()) ?? 'barnum',
		occurredAt: instant(fields.occurredAt, 'occurredAt') ?? new Date().toISOString(),
		property: defined({ id: fields.propertyId.trim(), name: present(fields.propertyName), timezone: present(fields.propertyTimezone) }),
		booking: defined({
			id: fields.bookingReference.trim(),
			checkIn: present(fields.checkIn?.trim()),
			checkOut: present(fields.checkOut?.trim()),
			adults: fields.adults,
			children: fields.children,
			roomType: present(fields.roomType),
			totalAmount: fields.totalAmount,
			currency: present(fields.currency?.trim()),
			resumeUrl: present(fields.resumeUrl?.trim()),
			confirmationCode: present(fields.confirmationCode),
		}),
		guest: defined({ name: present(fields.guestName), phone: present(fields.guestPhone?.trim()), locale: present(fields.guestLocale) }),
		lastActivityAt: instant(fields.lastActivityAt, 'lastActivityAt'),
	};
}

/** The JSON parameter: an object, or text holding one. */
export function parseNativeJson(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const parsed = jsonOrError(value);
	if (parsed instanceof SyntaxError) throw new BarnumError('invalid_input', `Event JSON is not valid JSON: ${parsed.message}`, { field: 'eventJson' });
	return parsed;
}

function jsonOrError(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		return error;
	}
}
