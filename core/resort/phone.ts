import { E164 } from '../contacts';

export type PhoneCheck = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * A guest's number as booking platforms send it ("+351 912 345 678", "00351-912345678") in E.164.
 * A number without its country code is refused rather than guessed: a wrong guess messages a
 * stranger.
 */
export function normalisePhone(raw: string): PhoneCheck {
	const compact = raw.trim().replace(/[\s().\-/]/g, '');
	const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
	if (E164.test(international)) return { ok: true, e164: international };
	if (/^\d+$/.test(international)) return { ok: false, reason: 'the number has no country code (expected +<country><number>)' };
	return { ok: false, reason: 'not a phone number in E.164 form such as +351912345678' };
}
