import { sql } from '../db/sql';
import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';

export type DeliveryClaim =
	| { claimed: true }
	| { claimed: false; status: 'processing' }
	| { claimed: false; status: 'done'; responseStatus: number | null; responseBody: unknown };

/** Where claims of delivery ids live: PostgreSQL (durable, shared) or memory (bounded). */
export interface DeliveryStore {
	claim(scope: string, deliveryId: string): Promise<DeliveryClaim>;
	complete(scope: string, deliveryId: string, responseStatus: number, responseBody: unknown): Promise<void>;
	release(scope: string, deliveryId: string): Promise<void>;
}

export class PostgresDeliveryStore implements DeliveryStore {
	constructor(private readonly db: Queryable) {}

	async claim(scope: string, deliveryId: string): Promise<DeliveryClaim> {
		const { rows } = await this.db.query<{
			claimed: boolean;
			status: 'processing' | 'done';
			response_status: number | null;
			response_body: unknown;
		}>(sql('delivery-claim'), [scope, deliveryId]);
		const row = rows[0];
		// No row at all: the first claimant released it between our INSERT and SELECT; try again.
		if (!row) return this.claim(scope, deliveryId);
		if (row.claimed) return { claimed: true };
		if (row.status === 'processing') return { claimed: false, status: 'processing' };
		return { claimed: false, status: 'done', responseStatus: row.response_status, responseBody: row.response_body };
	}

	async complete(scope: string, deliveryId: string, responseStatus: number, responseBody: unknown): Promise<void> {
		await this.db.query(sql('delivery-complete'), [scope, deliveryId, responseStatus, JSON.stringify(responseBody ?? null)]);
	}

	async release(scope: string, deliveryId: string): Promise<void> {
		await this.db.query(sql('delivery-release'), [scope, deliveryId]);
	}
}

/**
 * In-process claims, bounded: the oldest are forgotten first, so memory stays flat under any load
 * (a sender retrying after `max` other deliveries may be processed twice — use PostgreSQL then).
 */
export class MemoryDeliveryStore implements DeliveryStore {
	private readonly entries = new Map<string, DeliveryClaim>();

	constructor(private readonly max = 10_000) {}

	private key(scope: string, deliveryId: string): string {
		return `${scope}\u0000${deliveryId}`;
	}

	async claim(scope: string, deliveryId: string): Promise<DeliveryClaim> {
		const key = this.key(scope, deliveryId);
		const existing = this.entries.get(key);
		if (existing) return existing.claimed ? { claimed: false, status: 'processing' } : existing;
		this.entries.set(key, { claimed: true });
		while (this.entries.size > this.max) {
			const oldest = this.entries.keys().next().value as string;
			this.entries.delete(oldest);
		}
		return { claimed: true };
	}

	async complete(scope: string, deliveryId: string, responseStatus: number, responseBody: unknown): Promise<void> {
		this.entries.set(this.key(scope, deliveryId), { claimed: false, status: 'done', responseStatus, responseBody });
	}

	async release(scope: string, deliveryId: string): Promise<void> {
		this.entries.delete(this.key(scope, deliveryId));
	}

	get size(): number {
		return this.entries.size;
	}
}

/**
 * Forgets delivery ids received more than `olderThanDays` days ago; returns how many. A sender's
 * retries (Meta's last up to 7 days) must fall inside the window for a repeat to be caught.
 */
export async function purgeOldDeliveries(db: Queryable, olderThanDays: number): Promise<number> {
	if (!Number.isInteger(olderThanDays) || olderThanDays < 1) {
		throw new BarnumError('invalid_input', `webhook deliveries must be kept at least 1 whole day, got ${olderThanDays}`);
	}
	const result = await db.query(sql('deliveries-purge'), [olderThanDays * 86_400]);
	return result.rowCount ?? 0;
}
