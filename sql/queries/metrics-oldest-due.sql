-- Walks the partial index of due pending rows: cheap at any backlog size.
SELECT extract(epoch FROM now() - min(scheduled_for))::float8 AS age
  FROM barnum.whatsapp_events
 WHERE status = 'pending' AND scheduled_for <= now()
