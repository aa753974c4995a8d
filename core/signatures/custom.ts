import { z } from 'zod/v4';
import type { VerifyContext } from './context';
import { decodeDigest, encodeDigest } from './encoding';
import { SignatureError } from './errors';
import { isHeaderName, readDeliveryId, requireHeader } from './headers';
import { DIGEST_LENGTH, findMatchingKey, hmac } from './hmac';
import { fail } from './result';
import { utf8Key, utf8Keys } from './secrets';
import type { PreparedSign } from './sign-input';
import { readTimestamp } from './timestamp';
import type { CustomOptions, SignedHeaders, VerificationResult } from './types';

const headerName = z.string().refine(isHeaderName, 'must be a valid header name');

/** Custom options usually come from a node's parameters, so they are checked, not trusted. */
const customOptions = z
	.object({
		signatureHeader: headerName,
		algorithm: z.enum(['sha256', 'sha512']),
		encoding: z.enum(['hex', 'base64']),
		prefix: z.string().max(64).optional(),
		timestampHeader: headerName.optional(),
		deliveryIdHeader: headerName.optional(),
	})
	.refine(({ signatureHeader, timestampHeader, deliveryIdHeader }) => {
		const names = [signatureHeader, timestampHeader, deliveryIdHeader].filter((name) => name !== undefined);
		return new Set(names.map((name) => name.toLowerCase())).size === names.length;
	}, 'signatureHeader, timestampHeader and deliveryIdHeader must be different headers');

type ParsedOptions = z.infer<typeof customOptions>;

function parseOptions(options: unknown): ParsedOptions | string {
	const parsed = customOptions.safeParse(options);
	if (parsed.success) return parsed.data;
	return parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ');
}

function signedContent(timestamp: string | undefined, body: Buffer): Buffer[] {
	return timestamp === undefined ? [body] : [Buffer.from(`${timestamp}.`, 'utf8'), body];
}

export function verifyCustom(ctx: VerifyContext, options: CustomOptions): VerificationResult {
	const parsed = parseOptions(options);
	if (typeof parsed === 'string') return fail('invalid_options', `custom scheme options: ${parsed}`);
	const { signatureHeader, algorithm, encoding, prefix = '', timestampHeader, deliveryIdHeader } = parsed;

	const header = requireHeader(ctx.headers, signatureHeader);
	if (typeof header !== 'string') return header;
	const signature = header.startsWith(prefix)
		? decodeDigest(header.slice(prefix.length), encoding, DIGEST_LENGTH[algorithm])
		: undefined;
	if (!signature) {
		return fail(
			'malformed_header',
			`${signatureHeader} must be ${prefix ? `'${prefix}' and ` : ''}a ${encoding} ${algorithm} digest`,
		);
	}

	let timestampText: string | undefined;
	let timestamp: number | undefined;
	if (timestampHeader !== undefined) {
		const text = requireHeader(ctx.headers, timestampHeader);
		if (typeof text !== 'string') return text;
		const checked = readTimestamp(text, ctx.now, ctx.tolerance, timestampHeader);
		if (typeof checked !== 'number') return checked;
		timestampText = text;
		timestamp = checked;
	}
	const deliveryId = deliveryIdHeader === undefined ? undefined : readDeliveryId(ctx.headers, deliveryIdHeader);
	if (typeof deliveryId === 'object') return deliveryId;

	const content = signedContent(timestampText, ctx.body);
	const secretIndex = findMatchingKey(algorithm, utf8Keys(ctx.secrets), content, [signature]);
	if (secretIndex === undefined) return fail('signature_mismatch', 'the signature matches no configured secret');
	return {
		ok: true,
		scheme: 'custom',
		...(deliveryId === undefined ? {} : { deliveryId }),
		...(timestamp === undefined ? {} : { timestamp }),
		secretIndex,
	};
}

export function signCustom(options: CustomOptions, input: PreparedSign): SignedHeaders {
	const parsed = parseOptions(options);
	if (typeof parsed === 'string') throw new SignatureError(`custom scheme options: ${parsed}`);
	const { signatureHeader, algorithm, encoding, prefix = '', timestampHeader, deliveryIdHeader } = parsed;
	const headers: SignedHeaders = {};
	const timestamp = timestampHeader === undefined ? undefined : String(input.timestamp());
	const digest = hmac(algorithm, utf8Key(input.secret), ...signedContent(timestamp, input.body));
	headers[signatureHeader] = `${prefix}${encodeDigest(digest, encoding)}`;
	if (timestampHeader !== undefined && timestamp !== undefined) headers[timestampHeader] = timestamp;
	if (deliveryIdHeader !== undefined && input.id !== undefined) headers[deliveryIdHeader] = input.id;
	return headers;
}
