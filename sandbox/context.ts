import type { Logger } from 'pino';
import type { PhoneSimulator } from './inbound';
import type { Lifecycle } from './lifecycle';
import type { SandboxDemo, SandboxIdentity, SandboxSettings } from './options';
import type { BusinessNumber } from './payloads';
import type { SandboxState } from './state';
import type { StatusPipeline } from './statuses';

/** Everything the routes share: one per sandbox. */
export interface SandboxContext {
	identity: SandboxIdentity;
	settings: SandboxSettings;
	number: BusinessNumber;
	state: SandboxState;
	pipeline: StatusPipeline;
	phones: PhoneSimulator;
	lifecycle: Lifecycle;
	now: () => number;
	logger: Logger;
	demo?: SandboxDemo;
	contactNames?(waIds: string[]): Promise<Record<string, string>>;
}
