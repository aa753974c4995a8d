-- Barnum 012: fewer index entries per event and a cheaper message (docs/performance.md, "Outbox
-- engine"). Every claim and ack is an update that changes status, so none can be a HOT update:
-- each one writes an entry into every index whose predicate the new row matches.

-- The seed's (entity_type, entity_id) index took an entry on every claim and every ack, for
-- lookups that only two kinds of query make. Cancellations and reschedules look for an entity's
-- pending events, so that index covers pending rows only: a claimed or finished event leaves it.
DROP INDEX idx_whatsapp_events_entity;
CREATE INDEX idx_whatsapp_events_entity_pending ON whatsapp_events (entity_type, entity_id)
  WHERE status = 'pending';
-- A booking's message history and its reminder checks read every status, for bookings only.
CREATE INDEX idx_whatsapp_events_booking ON whatsapp_events (entity_id) WHERE entity_type = 'booking';

-- The message's envelope (event id, type, times, attempt, business, payload) is made by the
-- consumer from the claimed row's columns (core/outbox/message.ts): building it as JSON here, to
-- be printed and parsed again, was a quarter of a batched claim's PostgreSQL CPU. What needs
-- other tables stays here: the entity part (appointment with patient, professional, specialty
-- and action links; patient; booking), NULL for events without one, nulls left out.
DROP FUNCTION barnum_claim_events(text[], integer, double precision, text);
DROP FUNCTION barnum_event_message(whatsapp_events, boolean);
DROP FUNCTION barnum_compose_message(whatsapp_events, barnum_settings, boolean);
DROP FUNCTION barnum_event_envelope(whatsapp_events, barnum_settings, boolean);

-- Inlined into the claim, so an event of another entity type costs one CASE.
CREATE FUNCTION barnum_message_part(p_event whatsapp_events, p_settings barnum_settings, p_preview boolean)
RETURNS jsonb
LANGUAGE sql
VOLATILE
AS $$
  SELECT CASE p_event.entity_type
           WHEN 'appointment' THEN jsonb_strip_nulls(barnum.barnum_clinic_message_part(p_event, p_settings, p_preview))
           WHEN 'patient' THEN jsonb_strip_nulls(barnum.barnum_clinic_message_part(p_event, p_settings, p_preview))
           WHEN 'booking' THEN jsonb_strip_nulls(jsonb_build_object('booking', barnum.barnum_booking_message(p_event, p_preview)))
         END
$$;
SELECT barnum_secure_function('barnum_message_part(whatsapp_events, barnum_settings, boolean)');

-- 011's claim, returning the columns the envelope is made of, the entity part, and the business
-- settings once, on the last row with the counts.
-- Claims up to p_limit due events for consumer p_consumer with a lease of p_lease_seconds,
-- optionally only of the event types in p_event_types:
--   1. when it is quiet now, defers the due rows that respect quiet hours to the end of them;
--   2. locks expired leases first, then due pending rows, skipping rows other consumers hold;
--   3. re-checks each entity's state, skipping what no longer warrants a message (with the reason)
--      and leasing the rest, in one update;
--   4. returns each leased event with its outbound message (action-link tokens are created here).
-- One row per leased event, then one row with a NULL id that carries the counts (skipped, deferred).
CREATE FUNCTION barnum_claim_events(p_event_types text[], p_limit integer, p_lease_seconds double precision, p_consumer text)
RETURNS TABLE (
  id uuid, event_type text, entity_type text, entity_id uuid, workflow_id uuid,
  attempts integer, retry_count integer, max_retries integer,
  scheduled_for timestamptz, locked_until timestamptz, created_at timestamptz, payload jsonb, part jsonb,
  skipped_count integer, deferred_count integer, business_name text, timezone text, default_locale text
)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
-- A custom plan, re-made on every call, cost more than executing the statement; the statements
-- below are written so that one generic plan suits every batch size (tuple ids, primary keys).
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  v_settings barnum_settings;
  v_quiet_ends timestamptz;
  v_deferred integer := 0;
  v_lease tid[];
  v_skip tid[];
  v_reasons text[];
BEGIN
  SELECT * INTO v_settings FROM barnum_settings;
  v_quiet_ends := barnum_quiet_hours_end_in(now(), v_settings.timezone, v_settings.quiet_hours_start, v_settings.quiet_hours_end);
  IF v_quiet_ends > now() THEN
    UPDATE whatsapp_events e
       SET scheduled_for = v_quiet_ends, status_reason = 'deferred to the end of quiet hours'
     WHERE e.status = 'pending' AND e.scheduled_for <= now() AND e.respect_quiet_hours
       AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types));
    GET DIAGNOSTICS v_deferred = ROW_COUNT;
  END IF;

  -- Lock and judge. Rows are then addressed by tuple id: locked, they cannot move, and the
  -- updates below need no index lookup and no join the planner could misjudge.
  WITH expired AS (
    -- Leases that ran out come first: their consumer died mid-delivery.
    SELECT e.ctid AS tid, barnum_event_skip_reason(e) AS reason
      FROM whatsapp_events e
     WHERE e.status = 'processing' AND e.locked_until < now()
       AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
     ORDER BY e.locked_until
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED
  ),
  due AS (
    SELECT e.ctid AS tid, barnum_event_skip_reason(e) AS reason
      FROM whatsapp_events e
     WHERE e.status = 'pending' AND e.scheduled_for <= now()
       AND (v_quiet_ends <= now() OR NOT e.respect_quiet_hours)
       AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
     ORDER BY e.scheduled_for
     LIMIT p_limit - (SELECT count(*) FROM expired)
       FOR UPDATE SKIP LOCKED
  ),
  judged AS (
    SELECT x.tid, x.reason FROM expired x UNION ALL SELECT d.tid, d.reason FROM due d
  )
  SELECT coalesce(array_agg(j.tid) FILTER (WHERE j.reason IS NULL), '{}'),
         array_agg(j.tid) FILTER (WHERE j.reason IS NOT NULL),
         array_agg(j.reason) FILTER (WHERE j.reason IS NOT NULL)
    INTO v_lease, v_skip, v_reasons
    FROM judged j;

  IF v_skip IS NOT NULL THEN
    WITH skipped AS (
      UPDATE whatsapp_events e
         SET status = 'skipped', status_reason = r.reason, locked_until = NULL, locked_by = NULL,
             processed_at = now(), updated_at = now()
        FROM unnest(v_skip, v_reasons) AS r(tid, reason)
       WHERE e.ctid = ANY (v_skip) AND e.ctid = r.tid
      RETURNING e.workflow_id, r.reason
    )
    UPDATE whatsapp_workflows w
       SET status = 'skipped', response = coalesce(w.response, s.reason)
      FROM skipped s
     WHERE w.id = s.workflow_id AND w.status = 'pending';
  END IF;

  RETURN QUERY
  WITH leased AS (
    UPDATE whatsapp_events e
       SET status = 'processing',
           locked_until = now() + make_interval(secs => p_lease_seconds),
           locked_by = p_consumer,
           attempts = e.attempts + 1,
           updated_at = now()
     WHERE e.ctid = ANY (v_lease)
    RETURNING e.id, e.event_type, e.entity_type, e.entity_id, e.workflow_id, e.attempts, e.retry_count,
              e.max_retries, e.scheduled_for, e.locked_until, e.created_at, e.payload,
              barnum_message_part(e, v_settings, false) AS part
  )
  SELECT l.id, l.event_type, l.entity_type, l.entity_id, l.workflow_id, l.attempts, l.retry_count, l.max_retries,
         l.scheduled_for, l.locked_until, l.created_at, l.payload, l.part, NULL::integer, NULL::integer,
         NULL::text, NULL::text, NULL::text
    FROM leased l
   ORDER BY l.scheduled_for, l.id;

  RETURN QUERY SELECT NULL::uuid, NULL::text, NULL::text, NULL::uuid, NULL::uuid, NULL::integer, NULL::integer,
                      NULL::integer, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::jsonb, NULL::jsonb,
                      coalesce(cardinality(v_skip), 0), v_deferred,
                      v_settings.business_name, v_settings.timezone, v_settings.default_locale;
END
$$;
SELECT barnum_secure_function('barnum_claim_events(text[], integer, double precision, text)');
