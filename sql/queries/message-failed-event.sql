-- WhatsApp accepted a message and later reported it failed (131026 and friends arrive this
-- way): the event it carried is dead-lettered with Meta's reason, so operators see it.
UPDATE barnum.whatsapp_events e
   SET status = 'dead_letter', last_error = $2, status_reason = 'WhatsApp reported the message as failed after accepting it',
       processed_at = now()
 WHERE e.id = $1::uuid AND e.status = 'sent'
RETURNING e.id
