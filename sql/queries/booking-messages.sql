-- The outbox events about booking $1, oldest first.
SELECT e.id, e.event_type, e.status, e.status_reason, e.scheduled_for, e.payload
  FROM barnum.whatsapp_events e
 WHERE e.entity_type = 'booking' AND e.entity_id = $1
 ORDER BY e.created_at, e.scheduled_for
