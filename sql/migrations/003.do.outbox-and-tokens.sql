-- Barnum 003: conversation records, the outbox and action-link tokens.

CREATE TABLE whatsapp_workflows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workflow_type text NOT NULL
    CONSTRAINT whatsapp_workflows_type_present CHECK (length(btrim(workflow_type)) > 0),
  -- Ids of the business's rows, read through the contract views (002): no foreign keys.
  appointment_id uuid,
  patient_id uuid,
  status text NOT NULL DEFAULT 'pending'
    CONSTRAINT whatsapp_workflows_status_known
    CHECK (status IN ('pending', 'sent', 'completed', 'cancelled', 'failed', 'skipped')),
  response text,
  attempt integer CONSTRAINT whatsapp_workflows_attempt_positive CHECK (attempt > 0),
  review_submitted boolean,
  rating smallint CONSTRAINT whatsapp_workflows_rating_range CHECK (rating BETWEEN 1 AND 5),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  completed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT whatsapp_workflows_subject_present CHECK (appointment_id IS NOT NULL OR patient_id IS NOT NULL)
);

CREATE INDEX idx_whatsapp_workflows_appointment ON whatsapp_workflows (appointment_id);
CREATE INDEX idx_whatsapp_workflows_patient ON whatsapp_workflows (patient_id);
CREATE INDEX idx_whatsapp_workflows_type_status ON whatsapp_workflows (workflow_type, status);

-- The outbox. A row in 'processing' always carries a lease (locked_until, locked_by): when the
-- lease runs out the row can be claimed again, so a consumer that dies loses nothing.
-- retry_count counts failures (the seed's column); attempts counts claims.
CREATE TABLE whatsapp_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_type text NOT NULL
    CONSTRAINT whatsapp_events_event_type_shape CHECK (event_type ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$'),
  entity_type text NOT NULL
    CONSTRAINT whatsapp_events_entity_type_shape CHECK (entity_type ~ '^[a-z][a-z0-9_]*$'),
  entity_id uuid NOT NULL,
  workflow_id uuid REFERENCES whatsapp_workflows (id) ON DELETE SET NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'pending'
    CONSTRAINT whatsapp_events_status_known
    CHECK (status IN ('pending', 'processing', 'sent', 'dead_letter', 'skipped', 'cancelled')),
  retry_count integer NOT NULL DEFAULT 0 CONSTRAINT whatsapp_events_retry_count_not_negative CHECK (retry_count >= 0),
  max_retries integer NOT NULL DEFAULT 3 CONSTRAINT whatsapp_events_max_retries_not_negative CHECK (max_retries >= 0),
  attempts integer NOT NULL DEFAULT 0 CONSTRAINT whatsapp_events_attempts_not_negative CHECK (attempts >= 0),
  last_error text,
  scheduled_for timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  locked_by text,
  processed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT whatsapp_events_processing_has_lease
    CHECK (status <> 'processing' OR (locked_until IS NOT NULL AND locked_by IS NOT NULL))
);

-- The seed's indexes ...
CREATE INDEX idx_whatsapp_events_status ON whatsapp_events (status);
CREATE INDEX idx_whatsapp_events_scheduled ON whatsapp_events (scheduled_for);
CREATE INDEX idx_whatsapp_events_entity ON whatsapp_events (entity_type, entity_id);
-- ... and the two a claim actually walks: due pending rows, and expired leases.
CREATE INDEX idx_whatsapp_events_due ON whatsapp_events (scheduled_for) WHERE status = 'pending';
CREATE INDEX idx_whatsapp_events_lease ON whatsapp_events (locked_until) WHERE status = 'processing';

-- Action-link tokens. Only the SHA-256 of a token is stored: a copy of this table does not let
-- anyone confirm or cancel an appointment.
CREATE TABLE whatsapp_action_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash bytea NOT NULL CONSTRAINT whatsapp_action_tokens_hash_is_sha256 CHECK (octet_length(token_hash) = 32),
  action_type text NOT NULL
    CONSTRAINT whatsapp_action_tokens_action_known CHECK (action_type IN ('confirm', 'cancel', 'reschedule')),
  appointment_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  workflow_id uuid REFERENCES whatsapp_workflows (id) ON DELETE SET NULL,
  metadata jsonb,
  used_at timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX idx_whatsapp_action_tokens_token ON whatsapp_action_tokens (token_hash);
CREATE INDEX idx_whatsapp_action_tokens_expires ON whatsapp_action_tokens (expires_at);
CREATE INDEX idx_whatsapp_action_tokens_appointment ON whatsapp_action_tokens (appointment_id);

CREATE TRIGGER trg_whatsapp_workflows_updated_at BEFORE UPDATE ON whatsapp_workflows
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();
CREATE TRIGGER trg_whatsapp_events_updated_at BEFORE UPDATE ON whatsapp_events
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();

SELECT barnum_secure_table('whatsapp_workflows');
SELECT barnum_secure_table('whatsapp_events');
-- DELETE: the companion server purges expired tokens (barnum tokens:purge).
SELECT barnum_secure_table('whatsapp_action_tokens', 'SELECT, INSERT, UPDATE, DELETE');
