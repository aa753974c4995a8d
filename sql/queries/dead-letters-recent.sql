SELECT e.id, e.event_type, e.entity_type, e.entity_id, e.retry_count, e.last_error, e.status_reason, e.updated_at
  FROM barnum.whatsapp_events e
 WHERE e.status = 'dead_letter' AND e.updated_at >= now() - make_interval(mins => $1::int)
 ORDER BY e.updated_at DESC
 LIMIT 100
