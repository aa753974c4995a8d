-- Outbox processing time: from when an event was due (created, or its scheduled time if later) to
-- when it was delivered, for the events delivered in the last five minutes, by type: how many,
-- and the median, 90th and 99th percentiles in seconds. Read at scrape time like the other outbox
-- metrics, so it covers every consumer (n8n's included), not only this process.
SELECT event_type,
       count(*)::int AS n,
       percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (
         ORDER BY extract(epoch FROM processed_at - greatest(created_at, scheduled_for))
       )::float8[] AS seconds
  FROM barnum.whatsapp_events
 WHERE status = 'sent' AND processed_at > now() - interval '5 minutes'
 GROUP BY event_type
