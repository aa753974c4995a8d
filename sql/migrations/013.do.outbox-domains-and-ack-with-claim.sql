-- Barnum 013: less work per statement on whatsapp_events, and acks carried by the next claim
-- (docs/performance.md, "Outbox engine"). A consumer taking one event at a time runs one claim per
-- event, so what PostgreSQL prepares for every statement that writes the table counts:
--
-- PostgreSQL prepares a table's CHECK constraints for every statement that writes it, parsing each
-- one back from its stored text, and checks every one of them on every updated row. A domain's
-- check is kept parsed in the type cache and runs only where a statement assigns the column. The
-- single-column rules of whatsapp_events move into domains, under the constraint names they had,
-- so errors read as before (23514, "whatsapp_events_status_known" and so on). The one rule about
-- two columns, "processing has a lease", stays on the table.
--
-- Changing a column's type rewrites the table once (the domains' checks run over every row), under
-- an exclusive lock: on a large outbox, apply this in a quiet hour.

CREATE DOMAIN barnum_event_type_name AS text
  CONSTRAINT whatsapp_events_event_type_shape CHECK (VALUE ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$');
CREATE DOMAIN barnum_entity_type_name AS text
  CONSTRAINT whatsapp_events_entity_type_shape CHECK (VALUE ~ '^[a-z][a-z0-9_]*$');
CREATE DOMAIN barnum_event_status AS text
  CONSTRAINT whatsapp_events_status_known
  CHECK (VALUE IN ('pending', 'processing', 'sent', 'dead_letter', 'skipped', 'cancelled'));
CREATE DOMAIN barnum_retry_count AS integer CONSTRAINT whatsapp_events_retry_count_not_negative CHECK (VALUE >= 0);
CREATE DOMAIN barnum_max_retries AS integer CONSTRAINT whatsapp_events_max_retries_not_negative CHECK (VALUE >= 0);
CREATE DOMAIN barnum_attempts AS integer CONSTRAINT whatsapp_events_attempts_not_negative CHECK (VALUE >= 0);

-- A column named in a trigger's WHEN cannot change type. Both leave; see below for what replaces them.
DROP TRIGGER trg_whatsapp_events_notify_update ON whatsapp_events;
DROP TRIGGER trg_booking_abandonment_timer ON whatsapp_events;

ALTER TABLE whatsapp_events
  DROP CONSTRAINT whatsapp_events_event_type_shape,
  DROP CONSTRAINT whatsapp_events_entity_type_shape,
  DROP CONSTRAINT whatsapp_events_status_known,
  DROP CONSTRAINT whatsapp_events_retry_count_not_negative,
  DROP CONSTRAINT whatsapp_events_max_retries_not_negative,
  DROP CONSTRAINT whatsapp_events_attempts_not_negative,
  ALTER COLUMN event_type TYPE barnum_event_type_name,
  ALTER COLUMN entity_type TYPE barnum_entity_type_name,
  ALTER COLUMN status TYPE barnum_event_status,
  ALTER COLUMN retry_count TYPE barnum_retry_count,
  ALTER COLUMN max_retries TYPE barnum_max_retries,
  ALTER COLUMN attempts TYPE barnum_attempts;

-- A trigger's WHEN is also parsed from its stored text for every statement that assigns one of
-- the trigger's columns. Claims and acks assign status, so this trigger now watches scheduled_for
-- only, which they never assign: every statement that makes an event pending or moves when it is
-- due assigns scheduled_for (retries, replays, releases, deferrals, reschedules; release-events.sql
-- assigns it to itself for this). An UPDATE by hand that sets status = 'pending' alone is found by
-- the consumers' next poll instead of at once.
CREATE TRIGGER trg_whatsapp_events_notify_update
  AFTER UPDATE OF scheduled_for ON whatsapp_events
  FOR EACH ROW
  WHEN (NEW.status = 'pending'
        AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.scheduled_for IS DISTINCT FROM NEW.scheduled_for))
  EXECUTE FUNCTION barnum_notify_outbox();

-- The abandonment timer (007) fired from an AFTER UPDATE OF status trigger, whose WHEN (the
-- largest of the table's expressions) every claim and ack paid for. Only a claim takes a pending
-- event into processing, so the claim now calls it for the booking reminders #1 it leases, after
-- building their messages, as the trigger ran after the statement that leased them.
CREATE FUNCTION barnum_booking_abandon(p_booking_id uuid) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_booking bookings;
  v_property locations;
  v_actor text := current_setting('barnum.actor', true);
BEGIN
  SELECT * INTO v_booking FROM bookings b WHERE b.id = p_booking_id AND b.status = 'started' FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT * INTO v_property FROM locations p WHERE p.id = v_booking.property_id;
  PERFORM set_config('barnum.actor', 'abandonment-timer', true);
  UPDATE bookings SET status = 'abandoned' WHERE id = v_booking.id;
  IF v_property.reminder_2_enabled THEN
    PERFORM barnum_booking_enqueue(v_booking.id, 'booking.reminder', now() + v_property.reminder_2_delay,
                                   jsonb_build_object('number', 2, 'trigger', 'abandonment_check'), true, true);
  END IF;
  PERFORM set_config('barnum.actor', coalesce(v_actor, ''), true);
END
$$;
SELECT barnum_secure_function('barnum_booking_abandon(uuid)');
DROP FUNCTION barnum_booking_abandonment_timer_fn();

-- RETURN QUERY wants exactly the declared types: the domains are cast back to their base types,
-- which is also what every client sees (PostgreSQL describes a domain column by its base type).
CREATE OR REPLACE FUNCTION barnum_ack_events(p_ids uuid[], p_message_ids text[])
RETURNS TABLE (id uuid, outcome text)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
-- See barnum_claim_events.
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  v_acked uuid[];
  v_records uuid[];
BEGIN
  WITH acked AS (
    UPDATE whatsapp_events e
       SET status = 'sent', processed_at = now(), locked_until = NULL, locked_by = NULL,
           whatsapp_message_id = coalesce(i.message_id, e.whatsapp_message_id), status_reason = NULL,
           updated_at = now()
      FROM unnest(p_ids, p_message_ids) AS i(id, message_id)
     WHERE e.id = i.id AND e.status = 'processing'
    RETURNING e.id, e.workflow_id
  )
  SELECT coalesce(array_agg(a.id), '{}'), array_agg(a.workflow_id) FILTER (WHERE a.workflow_id IS NOT NULL)
    INTO v_acked, v_records
    FROM acked a;

  -- Only events with a conversation record touch whatsapp_workflows.
  IF v_records IS NOT NULL THEN
    UPDATE whatsapp_workflows w SET status = 'sent' WHERE w.id = ANY (v_records) AND w.status = 'pending';
  END IF;

  RETURN QUERY SELECT a.id, 'sent'::text FROM unnest(v_acked) AS a(id);
  -- The rest were not leased (a repeated ack, a lease taken over and finished elsewhere, an unknown id).
  IF cardinality(v_acked) < cardinality(p_ids) THEN
    RETURN QUERY
    SELECT i.id, coalesce(e.status::text, 'missing')
      FROM unnest(p_ids) AS i(id)
      LEFT JOIN whatsapp_events e ON e.id = i.id
     WHERE NOT (i.id = ANY (v_acked));
  END IF;
END
$$;

-- 012's claim with the casts and two more parameters: events to ack first, in the same
-- transaction, and whether to look for expired leases. Claims up to p_limit due events for
-- consumer p_consumer with a lease of p_lease_seconds, optionally only of the event types in
-- p_event_types:
--   0. acks p_ack;
--   1. when it is quiet now, defers the due rows that respect quiet hours to the end of them;
--   2. locks expired leases first (unless p_reclaim is false), then due pending rows, skipping
--      rows other consumers hold;
--   3. re-checks each entity's state, skipping what no longer warrants a message (with the reason)
--      and leasing the rest;
--   4. returns each leased event with the entity's part of its message (action-link tokens are
--      created here), then one row with a NULL id: the counts (skipped, deferred, expired leases
--      taken over) and the business settings.
DROP FUNCTION barnum_claim_events(text[], integer, double precision, text);
CREATE FUNCTION barnum_claim_events(p_event_types text[], p_limit integer, p_lease_seconds double precision, p_consumer text,
                                    p_ack uuid[] DEFAULT NULL, p_reclaim boolean DEFAULT true)
RETURNS TABLE (
  id uuid, event_type text, entity_type text, entity_id uuid, workflow_id uuid,
  attempts integer, retry_count integer, max_retries integer,
  scheduled_for timestamptz, locked_until timestamptz, created_at timestamptz, payload jsonb, part jsonb,
  skipped_count integer, deferred_count integer, reclaimed_count integer,
  business_name text, timezone text, default_locale text
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
  v_abandon uuid[];
  v_records uuid[];
  v_expired integer := 0;
BEGIN
  -- Events this consumer finished since its last claim, acked in the same transaction: a consumer
  -- handing out one event at a time then makes one round trip and one commit per event, not two.
  -- barnum_ack_events' update without its message ids and outcomes (nobody reads them here), inline:
  -- a nested call with its own SET clauses cost a quarter of a one-event claim.
  IF cardinality(p_ack) > 0 THEN
    WITH acked AS (
      UPDATE whatsapp_events e
         SET status = 'sent', processed_at = now(), locked_until = NULL, locked_by = NULL, status_reason = NULL,
             updated_at = now()
       WHERE e.id = ANY (p_ack) AND e.status = 'processing'
      RETURNING e.workflow_id
    )
    SELECT array_agg(a.workflow_id) FILTER (WHERE a.workflow_id IS NOT NULL) INTO v_records FROM acked a;
    IF v_records IS NOT NULL THEN
      UPDATE whatsapp_workflows w SET status = 'sent' WHERE w.id = ANY (v_records) AND w.status = 'pending';
    END IF;
  END IF;

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
  -- Leases that ran out come first: their consumer died mid-delivery. Looking for them is a
  -- statement of its own, which a consumer skips while it is busy (p_reclaim, see consumer.ts):
  -- preparing it was 7 % of a one-event claim, and it almost never finds anything.
  IF p_reclaim THEN
    SELECT array_agg(x.tid) FILTER (WHERE x.reason IS NULL),
           array_agg(x.tid) FILTER (WHERE x.reason IS NOT NULL),
           array_agg(x.reason) FILTER (WHERE x.reason IS NOT NULL),
           count(*)
      INTO v_lease, v_skip, v_reasons, v_expired
      FROM (SELECT e.ctid AS tid, barnum_event_skip_reason(e) AS reason
              FROM whatsapp_events e
             WHERE e.status = 'processing' AND e.locked_until < now()
               AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
             ORDER BY e.locked_until
             LIMIT p_limit
               FOR UPDATE SKIP LOCKED) x;
  END IF;

  WITH due AS (
    SELECT e.ctid AS tid, barnum_event_skip_reason(e) AS reason,
           -- A booking's reminder #1 taken from pending: the moment its abandonment is detected.
           CASE WHEN e.entity_type = 'booking' AND e.event_type = 'booking.reminder'
                     AND e.payload ->> 'trigger' = 'abandonment_check' AND e.payload ->> 'number' = '1'
                THEN e.entity_id END AS abandon
      FROM whatsapp_events e
     WHERE e.status = 'pending' AND e.scheduled_for <= now()
       AND (v_quiet_ends <= now() OR NOT e.respect_quiet_hours)
       AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
     ORDER BY e.scheduled_for
     LIMIT p_limit - v_expired
       FOR UPDATE SKIP LOCKED
  )
  SELECT coalesce(v_lease || array_agg(d.tid) FILTER (WHERE d.reason IS NULL), '{}'),
         v_skip || array_agg(d.tid) FILTER (WHERE d.reason IS NOT NULL),
         v_reasons || array_agg(d.reason) FILTER (WHERE d.reason IS NOT NULL),
         array_agg(d.abandon) FILTER (WHERE d.reason IS NULL AND d.abandon IS NOT NULL)
    INTO v_lease, v_skip, v_reasons, v_abandon
    FROM due d;

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
  -- The leased events in due order, then the row of counts, in one statement.
  (SELECT l.id, l.event_type::text, l.entity_type::text, l.entity_id, l.workflow_id, l.attempts::integer,
          l.retry_count::integer, l.max_retries::integer,
          l.scheduled_for, l.locked_until, l.created_at, l.payload, l.part, NULL::integer, NULL::integer,
          NULL::integer, NULL::text, NULL::text, NULL::text
     FROM leased l
    ORDER BY l.scheduled_for, l.id)
  UNION ALL
  SELECT NULL::uuid, NULL::text, NULL::text, NULL::uuid, NULL::uuid, NULL::integer, NULL::integer,
         NULL::integer, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::jsonb, NULL::jsonb,
         coalesce(cardinality(v_skip), 0), v_deferred, v_expired::integer,
         v_settings.business_name, v_settings.timezone, v_settings.default_locale;

  IF v_abandon IS NOT NULL THEN
    PERFORM barnum_booking_abandon(b.id) FROM unnest(v_abandon) AS b(id);
  END IF;
END
$$;
SELECT barnum_secure_function('barnum_claim_events(text[], integer, double precision, text, uuid[], boolean)');
