SELECT e.* FROM barnum.whatsapp_events e WHERE e.id = $1
