import type { AppointmentStatus } from './transitions';
import {
	appointmentStart,
	clockTime,
	durationMinutes,
	e164Phone,
	feedStatus,
	invalid,
	optionalText,
	requiredText,
	supportedLocale,
	type Start,
	type SupportedLocale,
} from './feed-input';

/** The records the upserts write, from what a workflow gives (core/appointments/upsert.ts writes them). */

export interface SourceKey {
	/** Whose ids these are: cal.com, a practice system, a spreadsheet (lower case by convention). */
	source: string;
	externalId: string;
}

export interface SpecialtyRecord extends SourceKey {
	name: string;
}

export interface ProfessionalRecord extends SourceKey {
	name: string;
	/** A specialty of the same source, by its external id. */
	specialtyExternalId?: string;
}

export interface PatientRecord extends SourceKey {
	name: string;
	phone: string;
	email?: string;
	locale?: SupportedLocale;
}

export interface LocationRecord {
	externalId: string;
	name: string;
	timezone?: string;
	locale?: SupportedLocale;
	quietHoursStart?: string;
	quietHoursEnd?: string;
	publicBaseUrl?: string;
	whatsappPhoneNumberId?: string;
}

export interface AppointmentRecord extends SourceKey {
	/** The id the source gave this appointment before it moved it (Cal.com's rescheduleUid). */
	previousExternalId?: string;
	start: Start;
	durationMinutes?: number;
	status: AppointmentStatus;
	cancellationReason?: string;
	notes?: string;
	patient: PatientRecord;
	professional?: ProfessionalRecord;
	specialty?: SpecialtyRecord;
	locationExternalId?: string;
}

/** What a workflow gives for each record: values from expressions, perhaps empty or of the wrong type. */
export type Raw = Record<string, unknown>;

const HTTP_URL = /^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/;

export function sourceKey(raw: Raw, what: string): SourceKey {
	return {
		source: requiredText(raw.source, 'source', 'name the system the record comes from (cal.com, clinic-mysql)', 100),
		externalId: requiredText(raw.externalId, 'externalId', `the source system's own ID of the ${what}`, 200),
	};
}

export function specialtyRecord(raw: Raw): SpecialtyRecord {
	return { ...sourceKey(raw, 'specialty'), name: requiredText(raw.name, 'name', 'a specialty needs a name') };
}

export function professionalRecord(raw: Raw): ProfessionalRecord {
	return {
		...sourceKey(raw, 'professional'),
		name: requiredText(raw.name, 'name', 'a professional needs a name'),
		specialtyExternalId: optionalText(raw.specialtyExternalId, 'specialtyExternalId', 200),
	};
}

/**
 * A patient; without an ID of its own in the source, the phone number is its key. `prefix` names
 * the fields as the caller knows them (an appointment's patientPhone).
 */
export function patientRecord(raw: Raw, prefix = ''): PatientRecord {
	const field = (name: string) => (prefix ? `${prefix}${name[0].toUpperCase()}${name.slice(1)}` : name);
	const source = requiredText(raw.source, 'source', 'name the system the record comes from (cal.com, clinic-mysql)', 100);
	const phone = e164Phone(raw.phone, field('phone'));
	if (phone === undefined) throw invalid(field('phone'), `${field('phone')} is missing: WhatsApp messages need the patient's phone number`);
	return {
		source,
		externalId: optionalText(raw.externalId, field('externalId'), 200) ?? phone,
		name: requiredText(raw.name, field('name'), "the patient's name"),
		phone,
		email: optionalText(raw.email, field('email'), 320),
		locale: supportedLocale(raw.locale, field('locale')),
	};
}

function timezone(value: unknown): string | undefined {
	const text = optionalText(value, 'timezone', 64);
	if (text === undefined) return undefined;
	try {
		new Intl.DateTimeFormat('en', { timeZone: text });
	} catch {
		throw invalid('timezone', `timezone "${text}" is not an IANA timezone (Europe/Lisbon)`);
	}
	return text;
}

export function locationRecord(raw: Raw): LocationRecord {
	const quietHoursStart = clockTime(raw.quietHoursStart, 'quietHoursStart');
	const quietHoursEnd = clockTime(raw.quietHoursEnd, 'quietHoursEnd');
	if ((quietHoursStart === undefined) !== (quietHoursEnd === undefined)) {
		throw invalid('quietHoursStart', 'quietHoursStart and quietHoursEnd go together: give both or neither');
	}
	const publicBaseUrl = optionalText(raw.publicBaseUrl, 'publicBaseUrl', 500)?.replace(/\/+$/, '');
	if (publicBaseUrl !== undefined && !HTTP_URL.test(publicBaseUrl)) {
		throw invalid('publicBaseUrl', `publicBaseUrl must be an http(s) address with no query, got "${publicBaseUrl}"`);
	}
	const phoneNumberId = optionalText(raw.whatsappPhoneNumberId, 'whatsappPhoneNumberId', 30);
	if (phoneNumberId !== undefined && !/^[0-9]+$/.test(phoneNumberId)) {
		throw invalid('whatsappPhoneNumberId', `whatsappPhoneNumberId is the digits of a WhatsApp phone number ID, got "${phoneNumberId}"`);
	}
	return {
		externalId: requiredText(raw.externalId, 'externalId', 'the ID the location is known by (clinic-lisboa)', 200),
		name: requiredText(raw.name, 'name', 'a location needs a name'),
		timezone: timezone(raw.timezone),
		locale: supportedLocale(raw.locale, 'locale'),
		quietHoursStart,
		quietHoursEnd,
		publicBaseUrl,
		whatsappPhoneNumberId: phoneNumberId,
	};
}

/**
 * An appointment with its patient and, when given, its professional and specialty (all of the same
 * source). Everything is checked before anything is written.
 */
export function appointmentRecord(raw: Raw): AppointmentRecord {
	const key = sourceKey(raw, 'appointment');
	const start = appointmentStart(raw.startsAt);
	const patient = patientRecord(
		{ source: key.source, externalId: raw.patientExternalId, name: raw.patientName, phone: raw.patientPhone, email: raw.patientEmail, locale: raw.patientLocale },
		'patient',
	);
	const specialtyId = optionalText(raw.specialtyExternalId, 'specialtyExternalId', 200);
	const professionalId = optionalText(raw.professionalExternalId, 'professionalExternalId', 200);
	const specialty = specialtyId
		? { source: key.source, externalId: specialtyId, name: optionalText(raw.specialtyName, 'specialtyName') ?? specialtyId }
		: undefined;
	const professional = professionalId
		? {
				source: key.source,
				externalId: professionalId,
				name: requiredText(raw.professionalName, 'professionalName', 'a professional needs a name'),
				specialtyExternalId: specialtyId,
			}
		: undefined;
	const status = feedStatus(raw.status);
	return {
		...key,
		previousExternalId: optionalText(raw.previousExternalId, 'previousExternalId', 200),
		start,
		durationMinutes: durationMinutes(raw.durationMinutes),
		status,
		cancellationReason: status === 'cancelled' ? optionalText(raw.cancellationReason, 'cancellationReason', 1000) : undefined,
		notes: optionalText(raw.notes, 'notes', 4000),
		patient,
		professional,
		specialty,
		locationExternalId: optionalText(raw.locationExternalId, 'locationExternalId', 200),
	};
}
