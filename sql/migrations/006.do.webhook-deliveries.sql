-- Barnum 006: durable de-duplication of signed webhook deliveries. A delivery id (Standard
-- Webhooks' webhook-id, X-Idempotency-Key, X-GitHub-Delivery …) is claimed once per scope (an
-- endpoint or an n8n trigger node); a repeat gets the stored answer and changes nothing.

CREATE TABLE barnum_webhook_deliveries (
  scope text NOT NULL CONSTRAINT barnum_webhook_deliveries_scope_present CHECK (length(scope) BETWEEN 1 AND 200),
  delivery_id text NOT NULL CONSTRAINT barnum_webhook_deliveries_id_present CHECK (length(delivery_id) BETWEEN 1 AND 256),
  status text NOT NULL DEFAULT 'processing'
    CONSTRAINT barnum_webhook_deliveries_status_known CHECK (status IN ('processing', 'done')),
  response_status integer,
  response_body jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  PRIMARY KEY (scope, delivery_id)
);

CREATE INDEX idx_barnum_webhook_deliveries_received ON barnum_webhook_deliveries (received_at);

-- DELETE: a failed delivery releases its claim so the sender's retry is processed; old rows are purged.
SELECT barnum_secure_table('barnum_webhook_deliveries', 'SELECT, INSERT, UPDATE, DELETE');
