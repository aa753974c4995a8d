-- Marks leased events as sent: $1 event ids, $2 WhatsApp message ids (same order; NULL where none).
-- A row whose lease another consumer has since taken is still acked: the message did go out.
-- Acking an event that is already sent is a no-op, so acks may be repeated safely.
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[]) AS i(id, message_id)
),
acked AS (
  UPDATE whatsapp_events e
     SET status = 'sent', processed_at = now(), locked_until = NULL, locked_by = NULL,
         whatsapp_message_id = coalesce(i.message_id, e.whatsapp_message_id), status_reason = NULL
    FROM input i
   WHERE e.id = i.id AND e.status = 'processing'
  RETURNING e.id, e.workflow_id
),
records AS (
  UPDATE whatsapp_workflows w SET status = 'sent'
    FROM acked a
   WHERE w.id = a.workflow_id AND w.status = 'pending'
  RETURNING 1
)
SELECT i.id,
       CASE WHEN a.id IS NOT NULL THEN 'sent'
            ELSE coalesce((SELECT e.status FROM whatsapp_events e WHERE e.id = i.id), 'missing')
       END AS outcome
  FROM input i LEFT JOIN acked a ON a.id = i.id
