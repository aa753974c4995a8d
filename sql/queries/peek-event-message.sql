-- The next claimable event, with the part of its message that comes from other tables, as it
-- would be claimed but without claiming it or creating tokens (n8n's test mode). Falls back to
-- the most recent event of the types when none is due. core/outbox/message.ts makes the message.
SELECT e.id, e.event_type, e.entity_type, e.entity_id, e.workflow_id, e.attempts, e.created_at, e.scheduled_for,
       e.locked_until, e.payload, barnum.barnum_message_part(e, s, true) AS part, s.business_name, s.timezone, s.default_locale
  FROM barnum.whatsapp_events e
 CROSS JOIN barnum.barnum_settings s
 WHERE ($1::text[] IS NULL OR e.event_type = ANY ($1::text[]))
 ORDER BY (e.status = 'pending') DESC, e.scheduled_for DESC
 LIMIT 1
