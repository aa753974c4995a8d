import type { OutboundMessage } from '../../core/outbox/types';

/** Shown by the editor's test when the outbox is empty, so a workflow can be built before any event exists. */
export const SAMPLE_MESSAGE: OutboundMessage = {
	event_id: '00000000-0000-4000-8000-000000000000',
	event_type: 'appointment.pre_confirmed',
	entity_type: 'appointment',
	entity_id: '550e8400-e29b-41d4-a716-446655440000',
	created_at: '2026-01-28T10:00:00Z',
	scheduled_for: '2026-01-28T10:00:00Z',
	workflow_id: '6f1c2b7e-3f7a-4a8e-9a52-2f1b7c9d0e11',
	attempt: 1,
	idempotency_key: '00000000-0000-4000-8000-000000000000',
	preview: true,
	sample: true,
	business: { name: 'Clínica Exemplo', timezone: 'Europe/Lisbon', locale: 'pt-PT' },
	appointment: {
		id: '550e8400-e29b-41d4-a716-446655440000',
		date: '2026-02-01',
		time: '10:00',
		starts_at: '2026-02-01T10:00:00+00:00',
		timezone: 'Europe/Lisbon',
		duration_minutes: 30,
		status: 'scheduled',
		patient: { id: '9b2f5c3a-8d4e-4f6a-b1c2-3d4e5f6a7b8c', name: 'João Silva', phone: '+351912345678', locale: 'pt-PT' },
		professional: { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', name: 'Dr. Maria Santos' },
		specialty: { id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', name: 'Medicina Dentária' },
	},
	action_links: {
		confirm: 'https://clinic.example/api/action?type=confirm&token=preview-token-not-valid',
		cancel: 'https://clinic.example/api/action?type=cancel&token=preview-token-not-valid',
		reschedule: 'https://clinic.example/api/action?type=reschedule&token=preview-token-not-valid',
	},
	payload: {},
};
