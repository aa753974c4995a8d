import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SIGNATURE_SCHEMES, sign, verifyWebhook, type SignatureScheme } from '../../core/signatures';

/** Vectors written by scripts/signature-vectors.py, an implementation independent of core/signatures. */
interface Vector {
	name: string;
	scheme: SignatureScheme;
	options: Record<string, unknown>;
	body: { base64: string; text: string | null };
	secrets: string[];
	now: number;
	toleranceSeconds?: number;
	headers: Record<string, string>;
	expect:
		| { ok: true; secretIndex: number; scheme: SignatureScheme; deliveryId?: string; timestamp?: number }
		| { ok: false; reason: string };
	sign?: { secret: string; timestamp?: number; id?: string };
}

interface VectorFile {
	reserializationDiffers: string[];
	vectors: Vector[];
}

const file = JSON.parse(readFileSync(path.join(__dirname, 'vectors.json'), 'utf8')) as VectorFile;
const bodyOf = (vector: Vector) => Buffer.from(vector.body.base64, 'base64');
const lowerKeys = (headers: Record<string, string>) =>
	Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

function verifyVector(vector: Vector, rawBody: Buffer = bodyOf(vector)) {
	return verifyWebhook(vector.scheme, {
		headers: vector.headers,
		rawBody,
		secrets: vector.secrets,
		now: new Date(vector.now * 1000),
		...(vector.toleranceSeconds === undefined ? {} : { toleranceSeconds: vector.toleranceSeconds }),
		...vector.options,
	} as never);
}

describe('vectors from scripts/signature-vectors.py', () => {
	test('cover every scheme, with rotation, wrong secrets and both tolerance edges', () => {
		for (const scheme of SIGNATURE_SCHEMES) {
			const ofScheme = file.vectors.filter((vector) => vector.scheme === scheme);
			expect(ofScheme.some((vector) => vector.expect.ok && vector.expect.secretIndex === 1)).toBe(true);
			expect(ofScheme.some((vector) => vector.name.endsWith('wrong secret'))).toBe(true);
			expect(ofScheme.some((vector) => vector.body.text?.includes('João Conceição 😀'))).toBe(true);
		}
		const reasons = new Set(file.vectors.map((vector) => (vector.expect.ok ? 'ok' : vector.expect.reason)));
		for (const reason of ['timestamp_too_old', 'timestamp_in_future', 'malformed_timestamp', 'signature_mismatch']) {
			expect(reasons.has(reason)).toBe(true);
		}
	});

	test.each(file.vectors.map((vector) => [vector.name, vector] as const))('verify: %s', (_name, vector) => {
		if (vector.body.text !== null) expect(bodyOf(vector).toString('utf8')).toBe(vector.body.text);
		const result = verifyVector(vector);
		if (vector.expect.ok) {
			expect(result).toStrictEqual(vector.expect);
		} else {
			expect(result).toStrictEqual({ ok: false, reason: vector.expect.reason, message: expect.any(String) });
		}
	});

	const signable = file.vectors.filter((vector) => vector.sign !== undefined);
	test.each(signable.map((vector) => [vector.name, vector] as const))('sign reproduces: %s', (_name, vector) => {
		const signed = sign(vector.scheme, vector.options as never, bodyOf(vector), vector.sign!);
		expect(lowerKeys(signed)).toStrictEqual(lowerKeys(vector.headers));
	});

	const reserialised = file.vectors.filter((vector) => file.reserializationDiffers.includes(vector.name));
	test.each(reserialised.map((vector) => [vector.name, vector] as const))(
		'a re-serialised JSON body fails where the raw bytes pass: %s',
		(_name, vector) => {
			const text = vector.body.text!;
			const reserialisedText = JSON.stringify(JSON.parse(text));
			expect(reserialisedText).not.toBe(text);
			expect(verifyVector(vector).ok).toBe(true);
			expect(verifyVector(vector, Buffer.from(reserialisedText, 'utf8'))).toMatchObject({
				ok: false,
				reason: 'signature_mismatch',
			});
		},
	);
});
