import type { Request, Response } from 'express';
import { perIpLimit } from '../../server/http/rate-limit';

// Which clients share a count: the limiter's keying, driven directly (the 429's headers and body
// over real HTTP are in operator.test.ts).

function client(limit: ReturnType<typeof perIpLimit>) {
	return (ip: string): number => {
		let status = 200;
		const res = {
			status(code: number) {
				status = code;
				return res;
			},
			setHeader: () => res,
			type: () => res,
			send: () => res,
			json: () => res,
		};
		limit({ ip } as Request, res as unknown as Response, () => {});
		return status;
	};
}

test('IPv4 clients are counted one address at a time', () => {
	const hit = client(perIpLimit(2, () => 'slow down'));
	expect([hit('192.0.2.1'), hit('192.0.2.1'), hit('192.0.2.1')]).toEqual([200, 200, 429]);
	expect(hit('192.0.2.2')).toBe(200);
});

test('IPv6 clients are counted by their /56, and an IPv4-mapped address as its IPv4 address', () => {
	const hit = client(perIpLimit(2, () => 'slow down'));
	expect(hit('2001:db8:0:100::1')).toBe(200);
	expect(hit('2001:db8:0:1ff::2')).toBe(200);
	expect(hit('2001:db8:0:1aa::3')).toBe(429);
	expect(hit('2001:db8:0:200::1')).toBe(200);

	expect(hit('198.51.100.7')).toBe(200);
	expect(hit('::ffff:198.51.100.7')).toBe(200);
	expect(hit('198.51.100.7')).toBe(429);
});
