-- Claims up to $2 due events for consumer $4 with a lease of $3 seconds, optionally only of the
-- event types in $1. One statement, one round trip:
--   1. defers due rows that respect quiet hours when it is quiet now (to the end of the quiet hours);
--   2. locks expired leases first, then due pending rows, skipping rows other consumers hold;
--   3. re-checks each entity's state and skips what no longer warrants a message, with the reason;
--   4. leases the rest and returns each with its outbound message (action-link tokens are created here).
WITH quiet AS (
  SELECT barnum_quiet_hours_end(now()) AS ends_at
),
deferred AS (
  UPDATE whatsapp_events e
     SET scheduled_for = q.ends_at, status_reason = 'deferred to the end of quiet hours'
    FROM quiet q
   WHERE q.ends_at > now()
     AND e.status = 'pending' AND e.scheduled_for <= now() AND e.respect_quiet_hours
     AND ($1::text[] IS NULL OR e.event_type = ANY ($1::text[]))
  RETURNING e.id
),
expired AS (
  SELECT e.id
    FROM whatsapp_events e
   WHERE e.status = 'processing' AND e.locked_until < now()
     AND ($1::text[] IS NULL OR e.event_type = ANY ($1::text[]))
   ORDER BY e.locked_until
   LIMIT $2
   FOR UPDATE SKIP LOCKED
),
due AS (
  SELECT e.id
    FROM whatsapp_events e, quiet q
   WHERE e.status = 'pending' AND e.scheduled_for <= now()
     AND (q.ends_at <= now() OR NOT e.respect_quiet_hours)
     AND ($1::text[] IS NULL OR e.event_type = ANY ($1::text[]))
   ORDER BY e.scheduled_for
   LIMIT greatest($2 - (SELECT count(*) FROM expired), 0)
   FOR UPDATE SKIP LOCKED
),
judged AS (
  SELECT e.id, barnum_event_skip_reason(e) AS reason
    FROM whatsapp_events e
   -- An array, not IN (subquery): the planner cannot estimate the LIMIT above and would otherwise
   -- scan the whole table on every claim when most rows are pending.
   WHERE e.id = ANY (ARRAY(SELECT id FROM expired UNION ALL SELECT id FROM due))
),
skipped AS (
  UPDATE whatsapp_events e
     SET status = 'skipped', status_reason = j.reason, locked_until = NULL, locked_by = NULL, processed_at = now()
    FROM judged j
   WHERE e.id = j.id AND j.reason IS NOT NULL
  RETURNING e.workflow_id, j.reason
),
skipped_records AS (
  UPDATE whatsapp_workflows w
     SET status = 'skipped', response = coalesce(w.response, s.reason)
    FROM skipped s
   WHERE w.id = s.workflow_id AND w.status = 'pending'
  RETURNING 1
),
claimed AS (
  UPDATE whatsapp_events e
     SET status = 'processing',
         locked_until = now() + make_interval(secs => $3::double precision),
         locked_by = $4,
         attempts = e.attempts + 1
    FROM judged j
   WHERE e.id = j.id AND j.reason IS NULL
  RETURNING e.*
),
counts AS (
  SELECT (SELECT count(*) FROM skipped)::int AS skipped_count,
         (SELECT count(*) FROM deferred)::int AS deferred_count
)
-- One row per claimed event. When none was claimed, one row with a NULL id still carries the
-- counts, so a claim that only skipped or deferred events reports it.
SELECT c.id, c.event_type, c.entity_type, c.entity_id, c.workflow_id, c.attempts, c.retry_count, c.max_retries,
       c.scheduled_for, c.locked_until,
       CASE WHEN c.id IS NOT NULL THEN barnum_event_message(ROW(c.*)::whatsapp_events) END AS message,
       n.skipped_count, n.deferred_count
  FROM counts n LEFT JOIN claimed c ON true
 ORDER BY c.scheduled_for, c.id
