import type pg from 'pg';
import { sql } from '../db/sql';
import type { LinkAction } from './create';
import { clinicOf, linkState, tokenOf, type ClinicPage, type LinkRow, type LinkState } from './state';

export interface LinkReaderOptions {
	/**
	 * Send the query as a named prepared statement, parsed and planned once per connection (the
	 * default). Turn it off behind a pooler in transaction mode that cannot keep prepared
	 * statements (PgBouncer before 1.21, or without max_prepared_statements).
	 */
	prepared?: boolean;
	/** The most links one query reads. */
	maxBatch?: number;
	/** The most queries in flight at once; links asked for meanwhile wait and go in the next one. */
	maxInFlight?: number;
	/**
	 * As many reads waiting as this go at once, without waiting for the end of the event loop's
	 * turn: under load the database then works on them while the rest of the turn's requests are
	 * still being parsed.
	 */
	sendAt?: number;
}

interface Waiting {
	token: string;
	resolve(row: LinkRow | undefined): void;
	reject(error: unknown): void;
}

/**
 * Reads the action pages' links for GET, with no side effect. Reads asked for while earlier ones
 * are in flight are sent together, as one query (action-links-read.sql): under load the database
 * parses, plans and answers one statement for dozens of pages instead of one each, and a quiet
 * server still sends each read at once (after the current turn of the event loop).
 *
 * Under load one turn of the event loop parses most of the pages in flight, so waiting for its end
 * made one large batch that the server then waited for, idle, about a tenth of the time
 * (docs/performance.md). A turn's first `sendAt` reads go as soon as they are there.
 */
export class LinkReader {
	private readonly query: pg.QueryConfig;
	private readonly maxBatch: number;
	private readonly maxInFlight: number;
	private readonly sendAt: number;
	private queue: Waiting[] = [];
	private inFlight = 0;
	private scheduled = false;

	constructor(
		private readonly pool: pg.Pool,
		options: LinkReaderOptions = {},
	) {
		this.query = { text: sql('action-links-read'), ...(options.prepared === false ? {} : { name: 'barnum_action_links_read' }) };
		this.maxBatch = options.maxBatch ?? 100;
		// A few queries in flight keep the event loop fed while PostgreSQL answers; the pool (10)
		// keeps room for the POSTs.
		this.maxInFlight = options.maxInFlight ?? 4;
		this.sendAt = Math.min(options.sendAt ?? 40, this.maxBatch);
	}

	/** What the page of `token` shows for `action` (an invalid link's page included). */
	async inspect(token: string, action: LinkAction): Promise<LinkState> {
		const row = await this.read(tokenOf(token) ?? '');
		return linkState(row, action, clinicOf(row));
	}

	/** The clinic's name and language, for the page of a link that cannot be read at all. */
	async clinic(): Promise<ClinicPage> {
		return clinicOf(await this.read(''));
	}

	private read(token: string): Promise<LinkRow | undefined> {
		return new Promise((resolve, reject) => {
			this.queue.push({ token, resolve, reject });
			// With every query slot taken, settle() sends what waits when one comes back.
			if (this.inFlight >= this.maxInFlight) return;
			if (this.queue.length >= this.sendAt) this.send();
			else if (!this.scheduled) {
				this.scheduled = true;
				// After this turn of the event loop: requests parsed in the same turn share a query.
				setImmediate(this.flush);
			}
		});
	}

	private readonly flush = (): void => {
		this.scheduled = false;
		this.send();
	};

	private send(): void {
		while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
			const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
			this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
			this.inFlight += 1;
			this.pool.query<LinkRow & { i: number }>({ ...this.query, values: [batch.map((w) => w.token)] }).then(
				(result) => {
					const rows: Array<LinkRow | undefined> = new Array(batch.length);
					for (const row of result.rows) rows[row.i - 1] = row;
					this.settle();
					for (let k = 0; k < batch.length; k++) batch[k].resolve(rows[k]);
				},
				(error: unknown) => {
					this.settle();
					for (const waiting of batch) waiting.reject(error);
				},
			);
		}
	}

	private settle(): void {
		this.inFlight -= 1;
		// Whatever queued up meanwhile goes now, as one query.
		if (this.queue.length > 0 && !this.scheduled) this.send();
	}
}
