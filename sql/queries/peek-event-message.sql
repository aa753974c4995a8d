-- The message the next claimable event would produce, without claiming it or creating tokens
-- (n8n's test mode). Falls back to the most recent event of the types when none is due.
SELECT barnum_event_message(e, true) AS message
  FROM whatsapp_events e
 WHERE ($1::text[] IS NULL OR e.event_type = ANY ($1::text[]))
 ORDER BY (e.status = 'pending') DESC, e.scheduled_for DESC
 LIMIT 1
