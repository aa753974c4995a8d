import type { PlatformAdapter } from './types';

/**
 * Barnum's native JSON (docs/resort.md): already the normalised shape, so the shared schema
 * validates it as it is. `platform` defaults to 'barnum'; a middleware that relays another
 * platform's bookings in this shape may name that platform instead.
 */
export const barnumAdapter: PlatformAdapter = {
	platform: 'barnum',
	defaultAuth: 'signature',
	rules: { requireReservationDates: true },
	normalise: ({ body }) => ({ kind: 'event', native: body }),
};
