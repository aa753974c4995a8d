-- A message WhatsApp accepted: remembered with its event, so statuses can be matched later. A
-- status webhook may have arrived first (it races the send's HTTP answer): keep what it recorded.
INSERT INTO barnum.whatsapp_messages (wamid, event_id, template_name)
VALUES ($1, $2::uuid, $3)
ON CONFLICT (wamid) DO UPDATE
   SET event_id = coalesce(whatsapp_messages.event_id, EXCLUDED.event_id),
       template_name = coalesce(whatsapp_messages.template_name, EXCLUDED.template_name)
