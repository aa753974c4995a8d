-- Puts dead letters back in the queue: the one with id $1, or all of event type $2 (or any type)
-- that died at or after $3 (or ever). Retries start from zero; last_error keeps the old reason.
UPDATE barnum.whatsapp_events e
   SET status = 'pending', retry_count = 0, scheduled_for = now(), processed_at = NULL,
       status_reason = 'replayed from dead letter'
 WHERE e.status = 'dead_letter'
   AND ($1::uuid IS NULL OR e.id = $1::uuid)
   AND ($2::text IS NULL OR e.event_type = $2::text)
   AND ($3::timestamptz IS NULL OR e.updated_at >= $3::timestamptz)
RETURNING e.id
