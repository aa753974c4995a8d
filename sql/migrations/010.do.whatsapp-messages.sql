-- Barnum 010: the WhatsApp messages Barnum sent and what became of them. Meta reports sent →
-- delivered → read (or failed) by webhook, often out of order; the recorded status only moves
-- forward, and a failure keeps Meta's error code.

CREATE TABLE whatsapp_messages (
  wamid text PRIMARY KEY CONSTRAINT whatsapp_messages_wamid_shape CHECK (length(wamid) BETWEEN 1 AND 200),
  event_id uuid REFERENCES whatsapp_events (id) ON DELETE SET NULL,
  template_name text,
  status text NOT NULL DEFAULT 'accepted'
    CONSTRAINT whatsapp_messages_status_known CHECK (status IN ('accepted', 'sent', 'delivered', 'read', 'failed')),
  status_at timestamptz,
  error_code integer,
  error_title text,
  sent_at timestamptz,
  delivered_at timestamptz,
  read_at timestamptz,
  failed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_whatsapp_messages_event ON whatsapp_messages (event_id);
CREATE INDEX idx_whatsapp_events_wamid ON whatsapp_events (whatsapp_message_id) WHERE whatsapp_message_id IS NOT NULL;

CREATE TRIGGER trg_whatsapp_messages_updated_at BEFORE UPDATE ON whatsapp_messages
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();

-- Order of the statuses: a late 'sent' never overwrites 'read'. 'failed' outranks sent and
-- delivered (Meta can report a failure after delivery to the server) but never a 'read'.
CREATE FUNCTION barnum_delivery_rank(p_status text) RETURNS integer
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog
AS $$
  SELECT CASE p_status WHEN 'accepted' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'failed' THEN 3 WHEN 'read' THEN 4 END
$$;
SELECT barnum_secure_function('barnum_delivery_rank(text)');

SELECT barnum_secure_table('whatsapp_messages');
