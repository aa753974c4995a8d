-- Hands leased events back to the queue untouched (the consumer is shutting down or its endpoint
-- is gone): due again at once, no retry spent. scheduled_for is assigned (to itself) so that the
-- outbox's update trigger, which watches that column, wakes the consumers.
UPDATE barnum.whatsapp_events e
   SET status = 'pending', scheduled_for = e.scheduled_for, locked_until = NULL, locked_by = NULL, status_reason = $3
 WHERE e.id = ANY ($1::uuid[]) AND e.status = 'processing' AND e.locked_by = $2
RETURNING e.id
