SELECT event_type, sum(retry_count)::int AS retries FROM barnum.whatsapp_events GROUP BY event_type
