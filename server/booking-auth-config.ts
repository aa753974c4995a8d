import { ADAPTERS } from '../core/resort/adapters';
import { AUTH_MODES, type AuthMode, type PlatformAuth, type SignatureSettings } from '../core/resort/receiver-auth';
import { parseSecretList } from '../core/signatures/secret-list';
import { validateAllowlist } from './http/ip-allowlist';

/**
 * Each booking platform's authentication, from BOOKING_<PLATFORM>_AUTH and its companions
 * (docs/resort.md, "Authentication"). Read once at start: a setting that cannot work (a mode
 * without its secret, a user name for a mode that takes none, allowlist-only without addresses, a
 * variable for a platform that does not exist) is a problem reported by name, and the server does
 * not start. A platform left entirely unset keeps its default mode and, without a secret, answers
 * 503 — it was never configured, which is not an error.
 */

const SETTINGS = ['API_URL', 'AUTH', 'SECRET', 'USER', 'HEADER', 'IP_ALLOWLIST', 'SIGNATURE_SCHEME', 'SIGNATURE_HEADER', 'SIGNATURE_ALGORITHM', 'SIGNATURE_ENCODING', 'SIGNATURE_PREFIX', 'TIMESTAMP_HEADER'] as const;
/** Receiver-wide variables whose names would otherwise read as BOOKING_<PLATFORM>_<SETTING>. */
const RECEIVER_WIDE = new Set(['WEBHOOK', 'SIGNATURE', 'TIMESTAMP']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Characters a token can use in a URL path or query without encoding. */
const URL_SAFE = /^[A-Za-z0-9._~-]+$/;
const MIN_SECRET = 16;
export const DEFAULT_AUTH_HEADER = 'x-barnum-token';

export interface ReceiverWide {
	/** BOOKING_WEBHOOK_SECRET: the signing secret of every platform in signature mode that has none of its own. */
	secrets?: string;
	signature: SignatureSettings;
	toleranceSeconds: number;
}

/** Platform name → its authentication; undefined: not configured (the endpoint answers 503). */
export type PlatformAuthConfig = Record<string, PlatformAuth | undefined>;

export function envName(platform: string, setting: string): string {
	return `BOOKING_${platform.toUpperCase().replace(/-/g, '_')}_${setting}`;
}

function signatureSettings(get: (setting: string) => string | undefined, wide: SignatureSettings, problems: string[], name: (s: string) => string): SignatureSettings {
	const scheme = get('SIGNATURE_SCHEME') ?? wide.scheme;
	if (scheme !== 'standard-webhooks' && scheme !== 'custom') {
		problems.push(`${name('SIGNATURE_SCHEME')}: must be standard-webhooks or custom`);
		return wide;
	}
	if (scheme === 'standard-webhooks') return { scheme };
	const base = wide.scheme === 'custom' ? wide.custom : { signatureHeader: 'x-signature', algorithm: 'sha256' as const, encoding: 'hex' as const };
	const header = get('SIGNATURE_HEADER') ?? base.signatureHeader;
	const algorithm = get('SIGNATURE_ALGORITHM') ?? base.algorithm;
	const encoding = get('SIGNATURE_ENCODING') ?? base.encoding;
	const timestampHeader = get('TIMESTAMP_HEADER') ?? base.timestampHeader;
	if (!HEADER_NAME.test(header)) problems.push(`${name('SIGNATURE_HEADER')}: must be a header name`);
	if (algorithm !== 'sha256' && algorithm !== 'sha512') problems.push(`${name('SIGNATURE_ALGORITHM')}: must be sha256 or sha512`);
	if (encoding !== 'hex' && encoding !== 'base64') problems.push(`${name('SIGNATURE_ENCODING')}: must be hex or base64`);
	if (timestampHeader !== undefined && !HEADER_NAME.test(timestampHeader)) problems.push(`${name('TIMESTAMP_HEADER')}: must be a header name`);
	return {
		scheme: 'custom',
		custom: {
			signatureHeader: header,
			algorithm: algorithm as 'sha256' | 'sha512',
			encoding: encoding as 'hex' | 'base64',
			prefix: get('SIGNATURE_PREFIX') ?? base.prefix,
			timestampHeader,
		},
	};
}

function platformAuth(platform: string, defaultMode: AuthMode, env: Record<string, string | undefined>, wide: ReceiverWide, problems: string[]): PlatformAuth | undefined {
	const name = (setting: string) => envName(platform, setting);
	const get = (setting: string) => {
		const value = env[name(setting)]?.trim();
		return value ? value : undefined;
	};
	const explicitMode = get('AUTH');
	if (explicitMode !== undefined && !(AUTH_MODES as readonly string[]).includes(explicitMode)) {
		problems.push(`${name('AUTH')}: must be one of ${AUTH_MODES.join(', ')}`);
		return undefined;
	}
	const mode = (explicitMode ?? defaultMode) as AuthMode;
	const ipAllowlist = parseSecretList(get('IP_ALLOWLIST') ?? '');
	try {
		validateAllowlist(ipAllowlist);
	} catch {
		problems.push(`${name('IP_ALLOWLIST')}: must be IP addresses or CIDR ranges separated by commas`);
	}
	if (get('USER') !== undefined && mode !== 'basic') problems.push(`${name('USER')}: is set, but ${platform} authenticates with ${mode}, not basic`);
	if (get('HEADER') !== undefined && mode !== 'header') problems.push(`${name('HEADER')}: is set, but ${platform} authenticates with ${mode}, not header`);
	if (mode !== 'signature') {
		for (const setting of SETTINGS.filter((s) => s.startsWith('SIGNATURE_') || s === 'TIMESTAMP_HEADER')) {
			if (get(setting) !== undefined) problems.push(`${name(setting)}: is set, but ${platform} authenticates with ${mode}, not signature`);
		}
	}

	if (mode === 'allowlist-only') {
		if (explicitMode === undefined) return undefined;
		if (get('SECRET') !== undefined) problems.push(`${name('SECRET')}: allowlist-only checks no secret; remove it or choose a mode that uses it`);
		if (ipAllowlist.length === 0) problems.push(`${name('IP_ALLOWLIST')}: is required with ${name('AUTH')}=allowlist-only (the platform's addresses are all that is checked)`);
		return { mode, secrets: [], toleranceSeconds: wide.toleranceSeconds, ipAllowlist };
	}

	const secretText = get('SECRET') ?? (mode === 'signature' ? wide.secrets : undefined);
	const secrets = parseSecretList(secretText);
	const configured = explicitMode !== undefined || get('USER') !== undefined || get('HEADER') !== undefined || ipAllowlist.length > 0;
	if (secrets.length === 0) {
		if (configured) {
			problems.push(`${name('SECRET')}: is required with ${mode} authentication${mode === 'signature' ? ' (or BOOKING_WEBHOOK_SECRET)' : ''}`);
		}
		return undefined;
	}
	if (mode !== 'signature') {
		if (secrets.some((s) => s.length < MIN_SECRET)) problems.push(`${name('SECRET')}: each must be at least ${MIN_SECRET} characters (a long random string)`);
		if (mode === 'token' && secrets.some((s) => !URL_SAFE.test(s))) {
			problems.push(`${name('SECRET')}: a URL token may use only letters, digits and . _ ~ - (it goes in the URL unencoded)`);
		}
	}
	const auth: PlatformAuth = { mode, secrets, toleranceSeconds: wide.toleranceSeconds, ipAllowlist };
	if (mode === 'signature') auth.signature = signatureSettings(get, wide.signature, problems, name);
	if (mode === 'basic') {
		auth.username = get('USER');
		if (!auth.username) problems.push(`${name('USER')}: is required with basic authentication (the user name the platform sends)`);
		else if (auth.username.includes(':')) problems.push(`${name('USER')}: must not contain ":"`);
	}
	if (mode === 'header') {
		auth.header = (get('HEADER') ?? DEFAULT_AUTH_HEADER).toLowerCase();
		if (!HEADER_NAME.test(auth.header)) problems.push(`${name('HEADER')}: must be a header name`);
		else if (['authorization', 'content-type', 'content-length', 'host'].includes(auth.header)) problems.push(`${name('HEADER')}: ${auth.header} is not a header a platform can set to a secret`);
	}
	return auth;
}

/** Every platform's authentication, and the problems that stop the server from starting. */
export function loadBookingAuth(env: Record<string, string | undefined>, wide: ReceiverWide): { platforms: PlatformAuthConfig; problems: string[] } {
	const problems: string[] = [];
	const platforms: PlatformAuthConfig = {};
	for (const adapter of Object.values(ADAPTERS)) {
		platforms[adapter.platform] = platformAuth(adapter.platform, adapter.defaultAuth, env, wide, problems);
	}
	const known = new Set(Object.keys(ADAPTERS).map((p) => p.toUpperCase().replace(/-/g, '_')));
	const pattern = new RegExp(`^BOOKING_([A-Z0-9_]+?)_(${SETTINGS.join('|')})$`);
	for (const key of Object.keys(env)) {
		const match = pattern.exec(key);
		if (match && !RECEIVER_WIDE.has(match[1]) && !known.has(match[1])) {
			problems.push(`${key}: there is no booking platform "${match[1].toLowerCase()}" (platforms: ${Object.keys(ADAPTERS).join(', ')})`);
		}
	}
	return { platforms, problems };
}
