SELECT status, event_type, count(*)::int AS n FROM barnum.whatsapp_events GROUP BY status, event_type
