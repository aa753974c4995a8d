/** An event leased to one consumer, with the message its workflow should send. */
export interface ClaimedEvent {
	id: string;
	eventType: string;
	entityType: string;
	entityId: string;
	workflowId: string | null;
	/** How many times the event has been claimed, this time included. */
	attempt: number;
	retryCount: number;
	maxRetries: number;
	scheduledFor: Date;
	leaseExpiresAt: Date;
	/** The seed's outbound payload plus delivery metadata (event_id is the idempotency key). */
	message: OutboundMessage;
}

export interface OutboundMessage {
	event_id: string;
	event_type: string;
	entity_type: string;
	entity_id: string;
	created_at: string;
	scheduled_for: string;
	workflow_id?: string;
	attempt: number;
	lease_expires_at?: string;
	idempotency_key: string;
	preview?: boolean;
	business: { name: string; timezone: string; locale: string };
	appointment?: {
		id: string;
		date: string;
		time: string;
		starts_at: string;
		timezone: string;
		duration_minutes: number;
		status: string;
		patient: { id: string; name: string; phone?: string; locale: string };
		professional?: { id: string; name: string };
		specialty?: { id: string; name: string };
		/** The clinic group's site the appointment is at (barnum.locations), when it names one. */
		location?: { id: string; name: string; timezone: string; locale: string; whatsapp_phone_number_id?: string };
	};
	patient?: { id: string; name: string; phone?: string; locale: string };
	action_links?: Partial<Record<'confirm' | 'cancel' | 'reschedule', string>>;
	payload: Record<string, unknown>;
	[key: string]: unknown;
}

export type FailureKind = 'transient' | 'throttled' | 'permanent';

export interface ClaimResult {
	events: ClaimedEvent[];
	/** Events found no longer warranted at claim (cancelled appointment, opted-out patient …). */
	skipped: number;
	/** Due events moved to the end of quiet hours by this claim. */
	deferred: number;
	/** Events taken over from leases that had run out (their consumer died), skipped ones included. */
	reclaimed: number;
}
