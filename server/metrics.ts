import type { NextFunction, Request, Response } from 'express';
import client from 'prom-client';
import type pg from 'pg';
import { sql } from '../core/db/sql';

/** One run of `load` for all the callers that ask while it runs; the next caller starts a new one. */
function sharedWhileRunning<T>(load: () => Promise<T>): () => Promise<T> {
	let running: Promise<T> | undefined;
	return () =>
		(running ??= load().finally(() => {
			running = undefined;
		}));
}

/** The quantiles metrics-processing.sql computes, in its order. */
const QUANTILES = ['0.5', '0.9', '0.99'];

/**
 * The seed's monitoring list as Prometheus metrics. Outbox and token totals are read from the
 * database at scrape time, so they count work done by every consumer (n8n included), not just
 * this process.
 */
export function createMetrics(pool: pg.Pool) {
	const registry = new client.Registry();
	client.collectDefaultMetrics({ register: registry, prefix: 'barnum_' });

	const httpDuration = new client.Histogram({
		name: 'barnum_http_request_duration_seconds',
		help: 'HTTP response time by route, method and status',
		labelNames: ['route', 'method', 'status'],
		buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
		registers: [registry],
	});
	const tokenValidations = new client.Counter({
		name: 'barnum_action_token_validations_total',
		help: 'Action-link tokens presented, by outcome (ready, already, closed, done, not_found, expired, used, wrong_action)',
		labelNames: ['outcome'],
		registers: [registry],
	});
	const actions = new client.Counter({
		name: 'barnum_actions_total',
		help: 'Actions performed by patients through links, by type and result',
		labelNames: ['type', 'result'],
		registers: [registry],
	});
	const webhookRequests = new client.Counter({
		name: 'barnum_webhook_requests_total',
		help: 'POST /api/webhook requests by action and HTTP status',
		labelNames: ['action', 'status'],
		registers: [registry],
	});
	const signatureFailures = new client.Counter({
		name: 'barnum_webhook_signature_failures_total',
		help: 'Signed requests rejected, by endpoint and reason',
		labelNames: ['endpoint', 'reason'],
		registers: [registry],
	});
	const pushDeliveries = new client.Counter({
		name: 'barnum_push_deliveries_total',
		help: 'Events the push dispatcher delivered, by result (sent, failed, gone)',
		labelNames: ['result'],
		registers: [registry],
	});

	new client.Gauge({
		name: 'barnum_outbox_events',
		help: 'Outbox events by status and type (pending, processing, sent, dead_letter, skipped, cancelled)',
		labelNames: ['status', 'event_type'],
		registers: [registry],
		async collect() {
			const { rows } = await pool.query<{ status: string; event_type: string; n: number }>(sql('metrics-outbox'));
			this.reset();
			for (const row of rows) this.set({ status: row.status, event_type: row.event_type }, row.n);
		},
	});
	new client.Gauge({
		name: 'barnum_outbox_retries',
		help: 'Failed delivery attempts recorded on outbox events (sum of retry_count), by type',
		labelNames: ['event_type'],
		registers: [registry],
		async collect() {
			const { rows } = await pool.query<{ event_type: string; retries: number }>(sql('metrics-retries'));
			this.reset();
			for (const row of rows) this.set({ event_type: row.event_type }, row.retries);
		},
	});
	// Prometheus takes quantiles from a summary's own observations; these come from the database
	// (n8n does the delivering), so they are gauges over a stated window instead. The registry
	// collects its metrics concurrently: the two gauges share one read per scrape.
	const readProcessing = sharedWhileRunning(
		async () => (await pool.query<{ event_type: string; n: number; seconds: number[] }>(sql('metrics-processing'))).rows,
	);
	new client.Gauge({
		name: 'barnum_outbox_processing_seconds',
		help: 'Time from due to delivered for the events delivered in the last 5 minutes, by type (quantile 0.5, 0.9, 0.99)',
		labelNames: ['event_type', 'quantile'],
		registers: [registry],
		async collect() {
			const rows = await readProcessing();
			this.reset();
			for (const row of rows) row.seconds.forEach((value, i) => this.set({ event_type: row.event_type, quantile: QUANTILES[i] }, value));
		},
	});
	new client.Gauge({
		name: 'barnum_outbox_delivered_last_5m',
		help: 'Events delivered in the last 5 minutes, by type (divide by 300 for a rate per second)',
		labelNames: ['event_type'],
		registers: [registry],
		async collect() {
			const rows = await readProcessing();
			this.reset();
			for (const row of rows) this.set({ event_type: row.event_type }, row.n);
		},
	});
	new client.Gauge({
		name: 'barnum_outbox_oldest_due_seconds',
		help: 'Age of the oldest event due but not yet delivered (0 when none): the backlog to alert on',
		registers: [registry],
		async collect() {
			const { rows } = await pool.query<{ age: number | null }>(sql('metrics-oldest-due'));
			this.set(rows[0]?.age ?? 0);
		},
	});
	new client.Gauge({
		name: 'barnum_action_links',
		help: 'Action links by state: issued (all), used, expired unused; used/issued is the click-through rate',
		labelNames: ['state'],
		registers: [registry],
		async collect() {
			const { rows } = await pool.query<{ issued: number; used: number; expired: number }>(sql('metrics-tokens'));
			const row = rows[0] ?? { issued: 0, used: 0, expired: 0 };
			this.set({ state: 'issued' }, row.issued);
			this.set({ state: 'used' }, row.used);
			this.set({ state: 'expired' }, row.expired);
		},
	});

	/**
	 * Times every request; the route label is the matched pattern, never the raw URL (tokens).
	 * observe() directly rather than startTimer(): the timer's closures, hrtime pair and merged
	 * label object were allocated on every request for the same figure.
	 */
	function timing(req: Request, res: Response, next: NextFunction): void {
		const started = performance.now();
		res.on('finish', () => {
			// No matched route: one label, never the path a caller made up.
			const route = (req.route?.path as string | undefined) ?? 'unmatched';
			httpDuration.observe({ route, method: req.method, status: String(res.statusCode) }, (performance.now() - started) / 1000);
		});
		next();
	}

	return { registry, timing, tokenValidations, actions, webhookRequests, signatureFailures, pushDeliveries };
}

export type Metrics = ReturnType<typeof createMetrics>;
