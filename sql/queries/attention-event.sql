-- The appointment an outbox event ($1) was about, for a message that could not be delivered.
SELECT e.event_type, CASE WHEN e.entity_type = 'appointment' THEN e.entity_id END AS appointment_id
  FROM barnum.whatsapp_events e
 WHERE e.id = $1::uuid
