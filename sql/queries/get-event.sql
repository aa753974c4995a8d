SELECT e.* FROM whatsapp_events e WHERE e.id = $1
