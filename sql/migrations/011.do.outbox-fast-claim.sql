-- Barnum 011: a cheaper claim and ack (docs/performance.md, "Outbox engine"). Same behaviour as
-- 005/007's statements, with the work per event cut down:
--   * claim and ack run inside PL/pgSQL functions, so PostgreSQL plans their statements once per
--     connection instead of on every call (through any pooler, unlike named prepared statements);
--   * the per-row re-check and message builder dispatch on entity_type in inlinable SQL, so an
--     event without an entity state (entity_type 'custom' and the like) calls no function at all;
--   * the settings are read once per claim, not once per event;
--   * two seed indexes nobody queries leave, and the outbox's own statements set updated_at
--     themselves: every claim and ack used to write five index entries and fire a trigger per row.

-- The seed's single-column indexes: every query on status or scheduled_for goes through the
-- partial due, lease and dead-letter indexes, and each of these two cost an index entry per update.
DROP INDEX idx_whatsapp_events_status;
DROP INDEX idx_whatsapp_events_scheduled;

-- The claim and the ack run on generic plans (below), made once per connection, perhaps when few
-- events were leased. Planned then, an ack would walk every lease instead of its own events by
-- primary key. The extra IS NOT NULL keeps the ack (status = 'processing' alone) off this index;
-- the claim's expired-lease search (locked_until < now()) still implies it.
DROP INDEX idx_whatsapp_events_lease;
CREATE INDEX idx_whatsapp_events_lease ON whatsapp_events (locked_until)
  WHERE status = 'processing' AND locked_until IS NOT NULL;

-- Statements that set updated_at themselves skip the trigger call (a WHEN is evaluated without
-- entering PL/pgSQL); everything else still gets it stamped.
DROP TRIGGER trg_whatsapp_events_updated_at ON whatsapp_events;
CREATE TRIGGER trg_whatsapp_events_updated_at BEFORE UPDATE ON whatsapp_events
  FOR EACH ROW WHEN (OLD.updated_at IS NOT DISTINCT FROM NEW.updated_at)
  EXECUTE FUNCTION barnum_touch_updated_at();

-- Dispatch on entity type, inlined into the calling statement (LANGUAGE sql without SET is
-- inlined; the functions it calls keep their own search_path).
CREATE OR REPLACE FUNCTION barnum_event_skip_reason(p_event whatsapp_events) RETURNS text
LANGUAGE sql
STABLE
AS $$
  SELECT CASE p_event.entity_type
           WHEN 'booking' THEN barnum.barnum_booking_skip_reason(p_event)
           WHEN 'appointment' THEN barnum.barnum_event_skip_reason_clinic(p_event)
           WHEN 'patient' THEN barnum.barnum_event_skip_reason_clinic(p_event)
         END
$$;
SELECT barnum_secure_function('barnum_event_skip_reason(whatsapp_events)');

-- What every message carries, whatever its entity: the seed's fields plus delivery metadata.
CREATE FUNCTION barnum_event_envelope(p_event whatsapp_events, p_settings barnum_settings, p_preview boolean)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
  SELECT jsonb_build_object(
    'event_id', p_event.id,
    'event_type', p_event.event_type,
    'entity_type', p_event.entity_type,
    'entity_id', p_event.entity_id,
    'created_at', p_event.created_at,
    'scheduled_for', p_event.scheduled_for,
    'workflow_id', p_event.workflow_id,
    'attempt', p_event.attempts,
    'lease_expires_at', p_event.locked_until,
    'idempotency_key', p_event.id,
    'preview', CASE WHEN p_preview THEN true END,
    'business', jsonb_build_object('name', p_settings.business_name, 'timezone', p_settings.timezone,
                                   'locale', p_settings.default_locale),
    'payload', p_event.payload)
$$;
SELECT barnum_secure_function('barnum_event_envelope(whatsapp_events, barnum_settings, boolean)');

-- The clinic part of a message, read through the contract: the appointment's wall-clock date and
-- time are its instant in its location's timezone; its links use the location's public address,
-- and the message names the location and the WhatsApp number to send from (none: the business's).
CREATE FUNCTION barnum_clinic_message_part(p_event whatsapp_events, p_settings barnum_settings, p_preview boolean)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_appointment jsonb;
  v_patient jsonb;
  v_patient_id uuid;
  v_base_url text;
  v_links jsonb := '{}'::jsonb;
  v_action text;
  v_token text;
BEGIN
  IF p_event.entity_type = 'appointment' THEN
    SELECT jsonb_build_object(
             'id', a.id,
             'date', to_char(a.starts_at AT TIME ZONE coalesce(l.timezone, p_settings.timezone), 'YYYY-MM-DD'),
             'time', to_char(a.starts_at AT TIME ZONE coalesce(l.timezone, p_settings.timezone), 'HH24:MI'),
             'starts_at', a.starts_at,
             'timezone', coalesce(l.timezone, p_settings.timezone),
             'location', CASE WHEN l.id IS NULL THEN NULL ELSE jsonb_build_object(
               'id', l.id, 'name', l.name, 'timezone', l.timezone, 'locale', l.locale,
               'whatsapp_phone_number_id', l.whatsapp_phone_number_id) END,
             'duration_minutes', a.duration_minutes,
             'status', a.status,
             'patient', jsonb_build_object('id', p.id, 'name', p.name, 'phone', p.phone,
                                           'locale', barnum_supported_locale(p.locale, coalesce(l.locale, p_settings.default_locale))),
             'professional', CASE WHEN pr.id IS NULL THEN NULL ELSE jsonb_build_object('id', pr.id, 'name', pr.name) END,
             'specialty', CASE WHEN sp.id IS NULL THEN NULL ELSE jsonb_build_object('id', sp.id, 'name', sp.name) END),
           p.id, coalesce(l.public_base_url, p_settings.public_base_url)
      INTO v_appointment, v_patient_id, v_base_url
      FROM appointments a
      JOIN patients p ON p.id = a.patient_id
      LEFT JOIN locations l ON l.id = a.location_id
      LEFT JOIN professionals pr ON pr.id = a.professional_id
      LEFT JOIN specialties sp ON sp.id = coalesce(a.specialty_id, pr.specialty_id)
     WHERE a.id = p_event.entity_id;

    IF v_appointment IS NOT NULL THEN
      FOREACH v_action IN ARRAY barnum_event_link_actions(p_event.event_type) LOOP
        v_token := CASE WHEN p_preview THEN 'preview-token-not-valid'
                        ELSE generate_action_token(v_action, p_event.entity_id, v_patient_id, p_event.workflow_id,
                                                   jsonb_build_object('event_id', p_event.id))
                   END;
        v_links := v_links || jsonb_build_object(v_action,
          rtrim(v_base_url, '/') || '/api/action?type=' || v_action || '&token=' || v_token);
      END LOOP;
    END IF;
  ELSIF p_event.entity_type = 'patient' THEN
    SELECT jsonb_build_object('id', p.id, 'name', p.name, 'phone', p.phone,
                              'locale', barnum_supported_locale(p.locale, p_settings.default_locale))
      INTO v_patient FROM patients p WHERE p.id = p_event.entity_id;
  END IF;

  RETURN jsonb_build_object('appointment', v_appointment, 'patient', v_patient,
                            'action_links', CASE WHEN v_links = '{}'::jsonb THEN NULL ELSE v_links END);
END
$$;
SELECT barnum_secure_function('barnum_clinic_message_part(whatsapp_events, barnum_settings, boolean)');

-- A whole outbound message: the envelope and its entity's part, nulls left out. Inlined into the
-- claim, so a 'custom' event costs one jsonb_build_object.
CREATE FUNCTION barnum_compose_message(p_event whatsapp_events, p_settings barnum_settings, p_preview boolean)
RETURNS jsonb
LANGUAGE sql
VOLATILE
AS $$
  SELECT jsonb_strip_nulls(
           barnum.barnum_event_envelope(p_event, p_settings, p_preview)
           || CASE p_event.entity_type
                WHEN 'appointment' THEN barnum.barnum_clinic_message_part(p_event, p_settings, p_preview)
                WHEN 'patient' THEN barnum.barnum_clinic_message_part(p_event, p_settings, p_preview)
                WHEN 'booking' THEN jsonb_build_object('booking', barnum.barnum_booking_message(p_event, p_preview))
                ELSE '{}'::jsonb
              END)
$$;
SELECT barnum_secure_function('barnum_compose_message(whatsapp_events, barnum_settings, boolean)');

-- Same signature as before, for callers with one event (the editor's preview).
CREATE OR REPLACE FUNCTION barnum_event_message(p_event whatsapp_events, p_preview boolean DEFAULT false) RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
  SELECT barnum_compose_message(p_event, s, p_preview) FROM barnum_settings s
$$;
SELECT barnum_secure_function('barnum_event_message(whatsapp_events, boolean)');

DROP FUNCTION barnum_event_message_clinic(whatsapp_events, boolean);

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
  scheduled_for timestamptz, locked_until timestamptz, message jsonb,
  skipped_count integer, deferred_count integer
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
    SELECT e.ctid AS tid, e AS event
      FROM whatsapp_events e
     WHERE e.status = 'processing' AND e.locked_until < now()
       AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
     ORDER BY e.locked_until
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED
  ),
  due AS (
    SELECT e.ctid AS tid, e AS event
      FROM whatsapp_events e
     WHERE e.status = 'pending' AND e.scheduled_for <= now()
       AND (v_quiet_ends <= now() OR NOT e.respect_quiet_hours)
       AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
     ORDER BY e.scheduled_for
     LIMIT p_limit - (SELECT count(*) FROM expired)
       FOR UPDATE SKIP LOCKED
  ),
  judged AS (
    SELECT l.tid, barnum_event_skip_reason(l.event) AS reason
      FROM (SELECT x.tid, x.event FROM expired x UNION ALL SELECT d.tid, d.event FROM due d) l
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
    RETURNING e AS event
  )
  SELECT (l.event).id, (l.event).event_type, (l.event).entity_type, (l.event).entity_id, (l.event).workflow_id,
         (l.event).attempts, (l.event).retry_count, (l.event).max_retries,
         (l.event).scheduled_for, (l.event).locked_until,
         barnum_compose_message(l.event, v_settings, false),
         NULL::integer, NULL::integer
    FROM leased l
   ORDER BY (l.event).scheduled_for, (l.event).id;

  RETURN QUERY SELECT NULL::uuid, NULL::text, NULL::text, NULL::uuid, NULL::uuid, NULL::integer, NULL::integer,
                      NULL::integer, NULL::timestamptz, NULL::timestamptz, NULL::jsonb,
                      coalesce(cardinality(v_skip), 0), v_deferred;
END
$$;
SELECT barnum_secure_function('barnum_claim_events(text[], integer, double precision, text)');

-- Marks leased events as sent: p_ids, with p_message_ids the WhatsApp message ids (same order;
-- NULL where none). A row whose lease another consumer has since taken is still acked: the
-- message did go out. Acking an event that is already sent is a no-op, so acks may be repeated.
-- Returns one row per id: 'sent', or the status the event has if it was not leased ('missing'
-- when there is no such event), in no particular order.
CREATE FUNCTION barnum_ack_events(p_ids uuid[], p_message_ids text[])
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
    SELECT i.id, coalesce(e.status, 'missing')
      FROM unnest(p_ids) AS i(id)
      LEFT JOIN whatsapp_events e ON e.id = i.id
     WHERE NOT (i.id = ANY (v_acked));
  END IF;
END
$$;
SELECT barnum_secure_function('barnum_ack_events(uuid[], text[])');
