import { validateBookingEvent } from '../schema';
import { barnumAdapter } from './barnum';
import { beds24Adapter } from './beds24';
import { channexAdapter } from './channex';
import { cloudbedsAdapter } from './cloudbeds';
import { hostawayAdapter } from './hostaway';
import { mewsAdapter } from './mews';
import type { Adapted, AdapterInput, Normalised, PlatformAdapter } from './types';

export type { Adapted, AdapterInput, PlatformAdapter } from './types';

export const ADAPTERS: Readonly<Record<string, PlatformAdapter>> = {
	[barnumAdapter.platform]: barnumAdapter,
	[cloudbedsAdapter.platform]: cloudbedsAdapter,
	[mewsAdapter.platform]: mewsAdapter,
	[hostawayAdapter.platform]: hostawayAdapter,
	[channexAdapter.platform]: channexAdapter,
	[beds24Adapter.platform]: beds24Adapter,
};

export function adapterFor(platform: string): PlatformAdapter | undefined {
	return Object.hasOwn(ADAPTERS, platform) ? ADAPTERS[platform] : undefined;
}

/** The platform's payload as a validated BookingEvent: normalised by its adapter, then checked by the shared schema. */
export function adapt(adapter: PlatformAdapter, input: AdapterInput): Adapted {
	return validated(adapter, adapter.normalise(input));
}

function validated(adapter: PlatformAdapter, normalised: Normalised): Adapted {
	if (normalised.kind === 'events') return { kind: 'events', items: normalised.items.map((item) => validated(adapter, item)) };
	if (normalised.kind !== 'event') return normalised;
	const validation = validateBookingEvent(normalised.native, adapter.rules);
	return validation.ok ? { kind: 'event', event: validation.event } : { kind: 'invalid', message: validation.message };
}
