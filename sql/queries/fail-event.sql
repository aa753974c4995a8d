-- Records a failed delivery of event $1 with error $2, classified $3 as 'transient', 'throttled'
-- or 'permanent'; $4 is a minimum wait in seconds (a Retry-After), or NULL; $5, when given, the
-- consumer that must hold the lease (a consumer never fails an event another one has reclaimed).
--   permanent: dead letter at once.
--   transient: retry after barnum_retry_delay(n) until max_retries is spent, then dead letter.
--   throttled: retry later without spending a retry (the recipient is fine, we are too fast),
--              dead-lettering only after max_retries + 10 claims so nothing loops for ever.
WITH target AS (
  SELECT e.id, e.retry_count, e.max_retries, e.attempts
    FROM barnum.whatsapp_events e
   WHERE e.id = $1 AND e.status = 'processing' AND ($5::text IS NULL OR e.locked_by = $5::text)
   FOR UPDATE
),
decision AS (
  SELECT t.id,
         CASE WHEN $3 = 'throttled' THEN t.retry_count ELSE t.retry_count + 1 END AS retry_count,
         CASE
           WHEN $3 = 'permanent' THEN true
           WHEN $3 = 'throttled' THEN t.attempts >= t.max_retries + 10
           ELSE t.retry_count + 1 > t.max_retries
         END AS dead
    FROM target t
)
UPDATE barnum.whatsapp_events e
   SET retry_count = d.retry_count,
       status = CASE WHEN d.dead THEN 'dead_letter' ELSE 'pending' END,
       scheduled_for = CASE WHEN d.dead THEN e.scheduled_for
                            ELSE now() + greatest(barnum.barnum_retry_delay(d.retry_count + CASE WHEN $3 = 'throttled' THEN 1 ELSE 0 END),
                                                  make_interval(secs => coalesce($4::double precision, 0)))
                       END,
       last_error = left($2, 2000),
       status_reason = CASE WHEN d.dead THEN
                         CASE WHEN $3 = 'permanent' THEN 'permanent failure'
                              WHEN $3 = 'throttled' THEN 'still throttled after ' || e.attempts || ' attempts'
                              ELSE 'gave up after ' || d.retry_count || ' failed attempts' END
                       END,
       locked_until = NULL,
       locked_by = NULL,
       processed_at = CASE WHEN d.dead THEN now() END
  FROM decision d
 WHERE e.id = d.id
RETURNING e.id, e.status, e.retry_count, e.scheduled_for, e.last_error, e.status_reason
