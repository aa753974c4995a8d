-- The pre-confirmation of a demo appointment ($1): has it gone out yet?
SELECT status, whatsapp_message_id, last_error
FROM barnum.whatsapp_events
WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'
ORDER BY created_at DESC
LIMIT 1
