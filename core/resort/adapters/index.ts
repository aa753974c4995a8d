import { validateBookingEvent } from '../schema';
import { barnumAdapter } from './barnum';
import { cloudbedsAdapter } from './cloudbeds';
import type { Adapted, AdapterInput, PlatformAdapter } from './types';

export type { Adapted, AdapterInput, PlatformAdapter } from './types';

export const ADAPTERS: Readonly<Record<string, PlatformAdapter>> = {
	[barnumAdapter.platform]: barnumAdapter,
	[cloudbedsAdapter.platform]: cloudbedsAdapter,
};

export function adapterFor(platform: string): PlatformAdapter | undefined {
	return Object.hasOwn(ADAPTERS, platform) ? ADAPTERS[platform] : undefined;
}

/** The platform's payload as a validated BookingEvent: normalised by its adapter, then checked by the shared schema. */
export function adapt(adapter: PlatformAdapter, input: AdapterInput): Adapted {
	const normalised = adapter.normalise(input);
	if (normalised.kind !== 'event') return normalised;
	const validation = validateBookingEvent(normalised.native, adapter.rules);
	return validation.ok ? { kind: 'event', event: validation.event } : { kind: 'invalid', message: validation.message };
}
