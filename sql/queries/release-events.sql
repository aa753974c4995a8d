-- Hands leased events back to the queue untouched (the consumer is shutting down or its endpoint
-- is gone): due again at once, no retry spent.
UPDATE whatsapp_events e
   SET status = 'pending', locked_until = NULL, locked_by = NULL, status_reason = $3
 WHERE e.id = ANY ($1::uuid[]) AND e.status = 'processing' AND e.locked_by = $2
RETURNING e.id
