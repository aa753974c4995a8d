-- Whether booking $1 has a message of type $2 queued, in flight or sent.
SELECT EXISTS (
  SELECT 1 FROM barnum.whatsapp_events e
   WHERE e.entity_type = 'booking' AND e.entity_id = $1 AND e.event_type = $2
     AND e.status IN ('pending', 'processing', 'sent')
) AS present
