import client, { type Registry } from 'prom-client';

/**
 * The booking receiver's counters, registered on the server's registry (GET /metrics). One
 * registry may serve several apps (tests), so an existing counter is reused, not registered twice.
 */
export function bookingMetrics(registry: Registry) {
	const counter = (name: string, help: string, labelNames: string[]): client.Counter<string> =>
		(registry.getSingleMetric(name) as client.Counter<string> | undefined) ??
		new client.Counter({ name, help, labelNames, registers: [registry] });
	return {
		requests: counter(
			'barnum_booking_webhook_requests_total',
			'Booking-platform webhooks received, by platform, event type and HTTP status',
			['platform', 'type', 'status'],
		),
		retries: counter('barnum_booking_webhook_db_retries_total', 'Database faults retried while recording a booking event, by platform', [
			'platform',
		]),
	};
}
