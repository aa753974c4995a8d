-- Barnum 014: the engine reads and changes the business's appointments only through the contract
-- (002; docs/database.md, "The appointment contract"), and one trigger attached to the business's
-- appointments table plans the messages (the seed's trg_pre_confirmation, trg_no_show and
-- trg_review, and the reminders).

-- The last state of each appointment the trigger has seen. The trigger compares against it rather
-- than against OLD, because it sees the business's row only through the contract view: OLD is a
-- row of the business's own shape, in the business's own vocabulary.
-- planned: whether its pre-confirmation has been decided. An appointment inserted before it has a
-- patient (Cal.com writes the booking, then its attendees) is decided when the patient arrives.
CREATE TABLE appointment_state (
  appointment_id uuid PRIMARY KEY,
  status text,
  starts_at timestamptz,
  planned boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT barnum_secure_table('appointment_state', 'SELECT');

-- The two writes of the contract. A contract file replaces them; until then they refuse.
CREATE FUNCTION contract_missing() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'Barnum has no appointment contract installed: run barnum migrate --contract builtin, seed or a file of your own (docs/database.md)'
    USING ERRCODE = 'object_not_in_prerequisite_state';
END
$$;
SELECT barnum_secure_function('contract_missing()', false);

CREATE FUNCTION contract_set_status(p_appointment_id uuid, p_status text, p_reason text) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, barnum
AS $$ SELECT contract_missing() $$;

CREATE FUNCTION contract_reschedule(p_appointment_id uuid, p_starts_at timestamptz) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, barnum
AS $$ SELECT contract_missing() $$;

SELECT barnum_secure_function('contract_set_status(uuid, text, text)', false);
SELECT barnum_secure_function('contract_reschedule(uuid, timestamptz)', false);

-- The timezone of a location, or the business's when there is none.
CREATE FUNCTION location_timezone(p_location_id uuid) RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, barnum
AS $$
  SELECT coalesce((SELECT l.timezone FROM locations l WHERE l.id = p_location_id), s.timezone) FROM barnum_settings s
$$;
SELECT barnum_secure_function('location_timezone(uuid)');

-- The instant a wall-clock date and time stand for at a location (the business's timezone without
-- one): for contracts over tables that keep a date and a time, as the seed's do. A function rather
-- than a join, so that the contract view stays lockable row by row (SELECT ... FOR UPDATE locks
-- only the business's row).
CREATE FUNCTION local_instant(p_date date, p_time time, p_location_id uuid DEFAULT NULL) RETURNS timestamptz
LANGUAGE sql
STABLE
SET search_path = pg_catalog, barnum
AS $$
  SELECT (p_date + p_time) AT TIME ZONE location_timezone(p_location_id)
$$;
SELECT barnum_secure_function('local_instant(date, time, uuid)');

-- When a message planned for p_at may go out: after the location's own quiet hours, in its own
-- timezone, when it has some (the business-wide ones apply at claim, as for every event).
CREATE FUNCTION location_send_time(p_location_id uuid, p_at timestamptz) RETURNS timestamptz
LANGUAGE sql
STABLE
SET search_path = pg_catalog, barnum
AS $$
  SELECT coalesce((SELECT barnum_quiet_hours_end_in(p_at, l.timezone, l.quiet_hours_start, l.quiet_hours_end)
                     FROM locations l WHERE l.id = p_location_id AND l.quiet_hours_start IS NOT NULL), p_at)
$$;
SELECT barnum_secure_function('location_send_time(uuid, timestamptz)');

-- A business whose keys are integers (Cal.com's "Booking".id) maps them to uuids and back with
-- these two; an expression index on barnum.uuid_from_bigint(id) keeps lookups by uuid fast.
CREATE FUNCTION uuid_from_bigint(p_id bigint) RETURNS uuid
LANGUAGE sql
IMMUTABLE
STRICT
PARALLEL SAFE
RETURN ('00000000-0000-0000-0000-' || lpad(to_hex(p_id), 12, '0'))::uuid;

CREATE FUNCTION bigint_from_uuid(p_id uuid) RETURNS bigint
LANGUAGE sql
IMMUTABLE
STRICT
PARALLEL SAFE
RETURN CASE WHEN left(p_id::text, 24) = '00000000-0000-0000-0000-'
            THEN ('x' || lpad(right(p_id::text, 12), 16, '0'))::bit(64)::bigint END;

SELECT barnum_secure_function('uuid_from_bigint(bigint)');
SELECT barnum_secure_function('bigint_from_uuid(uuid)');

-- Reminders before an appointment: one event per offset in barnum_settings.reminder_offsets,
-- at the appointment's instant minus the offset. The event remembers the instant it was planned
-- for, so a reminder planned for a slot that has since moved is skipped at claim.
CREATE FUNCTION barnum_schedule_reminders(p_appointment_id uuid, p_patient_id uuid, p_starts_at timestamptz, p_location_id uuid)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_offset interval;
  v_workflow_id uuid;
  v_count integer := 0;
BEGIN
  FOREACH v_offset IN ARRAY (SELECT s.reminder_offsets FROM barnum_settings s) LOOP
    CONTINUE WHEN p_starts_at - v_offset <= now();
    INSERT INTO whatsapp_workflows (workflow_type, appointment_id, patient_id, metadata)
    VALUES ('appointment_reminder', p_appointment_id, p_patient_id,
            jsonb_build_object('offset', v_offset::text, 'starts_at', p_starts_at))
    RETURNING id INTO v_workflow_id;
    PERFORM create_whatsapp_event('appointment.reminder', 'appointment', p_appointment_id, v_workflow_id,
                                  location_send_time(p_location_id, p_starts_at - v_offset),
                                  jsonb_build_object('offset', v_offset::text, 'starts_at', p_starts_at));
    v_count := v_count + 1;
  END LOOP;
  RETURN v_count;
END
$$;
SELECT barnum_secure_function('barnum_schedule_reminders(uuid, uuid, timestamptz, uuid)', false);

-- A conversation record and its event, as the seed's triggers made them.
CREATE FUNCTION barnum_start_conversation(p_workflow_type text, p_event_type text, p_appointment_id uuid, p_patient_id uuid,
                                          p_at timestamptz, p_location_id uuid) RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_workflow_id uuid;
BEGIN
  INSERT INTO whatsapp_workflows (workflow_type, appointment_id, patient_id)
  VALUES (p_workflow_type, p_appointment_id, p_patient_id)
  RETURNING id INTO v_workflow_id;
  PERFORM create_whatsapp_event(p_event_type, 'appointment', p_appointment_id, v_workflow_id, location_send_time(p_location_id, p_at));
END
$$;
SELECT barnum_secure_function('barnum_start_conversation(text, text, uuid, uuid, timestamptz, uuid)', false);

-- What an appointment's change means for its messages, judged against the state last seen:
--   * first seen on an INSERT, upcoming and active: the pre-confirmation and the reminders, once it
--     has a patient (a row first seen on an UPDATE or at attachment is only recorded: no message
--     on a guess);
--   * cancelled: its pending pre-confirmation and reminders are cancelled;
--   * moved: its pending reminders are superseded and planned again (also when un-cancelled);
--   * marked a no-show: the reschedule prompt after barnum_settings.no_show_delay;
--   * completed: the review request after barnum_settings.review_delay;
--   * gone from the contract view (deleted): its pending events are cancelled and its links removed.
-- A status outside Barnum's vocabulary is recorded and acts on nothing; barnum.contract_problems()
-- names it.
CREATE FUNCTION barnum_appointment_sync(p_appointment_id uuid, p_inserted boolean) RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_now appointments;
  v_was appointment_state;
  v_active constant text[] := ARRAY['scheduled', 'pre_confirmed', 'confirmed'];
BEGIN
  SELECT * INTO v_was FROM appointment_state s WHERE s.appointment_id = p_appointment_id FOR UPDATE;
  SELECT * INTO v_now FROM appointments a WHERE a.id = p_appointment_id;
  IF NOT FOUND THEN
    IF v_was.appointment_id IS NOT NULL THEN
      PERFORM barnum_cancel_appointment_events(p_appointment_id,
        ARRAY['appointment.pre_confirmed', 'appointment.reminder', 'appointment.no_show', 'appointment.review_request'],
        'appointment no longer exists');
      DELETE FROM whatsapp_action_tokens t WHERE t.appointment_id = p_appointment_id AND t.used_at IS NULL;
      DELETE FROM appointment_state s WHERE s.appointment_id = p_appointment_id;
    END IF;
    RETURN;
  END IF;

  IF v_was.appointment_id IS NULL OR NOT v_was.planned THEN
    INSERT INTO appointment_state AS s (appointment_id, status, starts_at, planned)
    VALUES (v_now.id, v_now.status, v_now.starts_at,
            v_now.patient_id IS NOT NULL OR (v_was.appointment_id IS NULL AND NOT p_inserted))
    ON CONFLICT (appointment_id) DO UPDATE
       SET status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, planned = EXCLUDED.planned, updated_at = now();
    IF (p_inserted OR v_was.appointment_id IS NOT NULL) AND v_now.patient_id IS NOT NULL
       AND v_now.status = ANY (v_active) AND v_now.starts_at > now() THEN
      PERFORM barnum_start_conversation('pre_confirmation_sent', 'appointment.pre_confirmed', v_now.id, v_now.patient_id, now(),
                                        v_now.location_id);
      PERFORM barnum_schedule_reminders(v_now.id, v_now.patient_id, v_now.starts_at, v_now.location_id);
    END IF;
    RETURN;
  END IF;

  IF v_now.status IS NOT DISTINCT FROM v_was.status AND v_now.starts_at IS NOT DISTINCT FROM v_was.starts_at THEN
    RETURN;
  END IF;
  UPDATE appointment_state s SET status = v_now.status, starts_at = v_now.starts_at, updated_at = now()
   WHERE s.appointment_id = v_now.id;

  IF v_now.status = 'cancelled' THEN
    IF v_was.status IS DISTINCT FROM 'cancelled' THEN
      PERFORM barnum_cancel_appointment_events(v_now.id, ARRAY['appointment.pre_confirmed', 'appointment.reminder'],
                                               'appointment cancelled');
    END IF;
  ELSIF v_now.starts_at IS DISTINCT FROM v_was.starts_at THEN
    PERFORM barnum_cancel_appointment_events(v_now.id, ARRAY['appointment.reminder'], 'superseded: appointment rescheduled');
    IF v_now.status = ANY (v_active) AND v_now.starts_at IS NOT NULL THEN
      PERFORM barnum_schedule_reminders(v_now.id, v_now.patient_id, v_now.starts_at, v_now.location_id);
    END IF;
  ELSIF v_was.status = 'cancelled' AND v_now.status = ANY (v_active) AND v_now.starts_at IS NOT NULL THEN
    PERFORM barnum_schedule_reminders(v_now.id, v_now.patient_id, v_now.starts_at, v_now.location_id);
  END IF;

  IF v_now.status = 'no_show' AND v_was.status IS DISTINCT FROM 'no_show' THEN
    PERFORM barnum_start_conversation('reschedule_prompt', 'appointment.no_show', v_now.id, v_now.patient_id,
                                      now() + (SELECT s.no_show_delay FROM barnum_settings s), v_now.location_id);
  ELSIF v_now.status = 'completed' AND v_was.status IS DISTINCT FROM 'completed' THEN
    PERFORM barnum_start_conversation('review_request', 'appointment.review_request', v_now.id, v_now.patient_id,
                                      now() + (SELECT s.review_delay FROM barnum_settings s), v_now.location_id);
  END IF;
END
$$;
SELECT barnum_secure_function('barnum_appointment_sync(uuid, boolean)', false);

-- The trigger function attached to the business's appointments table. Its arguments name the key
-- column and how it maps to the contract's uuid: 'uuid' (the column holds it) or 'bigint'
-- (barnum.uuid_from_bigint of it). It runs as its owner, so whoever writes appointments (the
-- clinic's app, an admin tool, n8n) needs no rights on Barnum's tables.
CREATE FUNCTION barnum_appointment_changed() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_key text := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END) ->> coalesce(TG_ARGV[0], 'id');
BEGIN
  IF v_key IS NOT NULL THEN
    PERFORM barnum_appointment_sync(
      CASE coalesce(TG_ARGV[1], 'uuid') WHEN 'bigint' THEN uuid_from_bigint(v_key::bigint) ELSE v_key::uuid END,
      TG_OP = 'INSERT');
  END IF;
  RETURN NULL;
END
$$;
SELECT barnum_secure_function('barnum_appointment_changed()', false);

-- Attaches the trigger to a business table, in one statement, and records the state of the rows
-- already there (they get no pre-confirmation: only appointments inserted from now on do):
--   SELECT barnum.attach_appointments('public.appointments');
--   SELECT barnum.attach_appointments('public."Booking"', 'id', 'bigint');
-- Attaching again replaces the trigger.
CREATE FUNCTION attach_appointments(p_table regclass, p_key text DEFAULT 'id', p_key_kind text DEFAULT 'uuid') RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_count integer;
BEGIN
  IF p_key_kind NOT IN ('uuid', 'bigint') THEN
    RAISE EXCEPTION 'attach_appointments: key kind must be uuid or bigint, got "%"', p_key_kind
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM 1 FROM pg_attribute a WHERE a.attrelid = p_table AND a.attname = p_key AND a.attnum > 0 AND NOT a.attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'attach_appointments: table % has no column "%"', p_table, p_key
      USING ERRCODE = 'undefined_column';
  END IF;
  EXECUTE format('DROP TRIGGER IF EXISTS barnum_appointment_events ON %s', p_table);
  EXECUTE format('CREATE TRIGGER barnum_appointment_events AFTER INSERT OR UPDATE OR DELETE ON %s '
                 'FOR EACH ROW EXECUTE FUNCTION barnum.barnum_appointment_changed(%L, %L)', p_table, p_key, p_key_kind);
  INSERT INTO appointment_state (appointment_id, status, starts_at)
  SELECT a.id, a.status, a.starts_at FROM appointments a WHERE a.id IS NOT NULL
  ON CONFLICT (appointment_id) DO UPDATE SET status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, updated_at = now();
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;
SELECT barnum_secure_function('attach_appointments(regclass, text, text)', false);

-- Changes an appointment through the contract and returns it as Barnum's transitions report it
-- (the contract's write runs first; each statement of a PL/pgSQL function sees what the previous
-- one wrote).
CREATE FUNCTION barnum_appointment_summary(p_appointment_id uuid)
RETURNS TABLE (id uuid, patient_id uuid, status text, date text, "time" text, starts_at timestamptz)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, barnum
AS $$
  SELECT a.id, a.patient_id, a.status, to_char(a.starts_at AT TIME ZONE location_timezone(a.location_id), 'YYYY-MM-DD'),
         to_char(a.starts_at AT TIME ZONE location_timezone(a.location_id), 'HH24:MI'), a.starts_at
    FROM appointments a
   WHERE a.id = p_appointment_id
$$;
SELECT barnum_secure_function('barnum_appointment_summary(uuid)');

CREATE FUNCTION barnum_set_appointment_status(p_appointment_id uuid, p_status text, p_reason text)
RETURNS TABLE (id uuid, patient_id uuid, status text, date text, "time" text, starts_at timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, barnum
AS $$
BEGIN
  PERFORM contract_set_status(p_appointment_id, p_status, p_reason);
  RETURN QUERY SELECT * FROM barnum_appointment_summary(p_appointment_id);
END
$$;
SELECT barnum_secure_function('barnum_set_appointment_status(uuid, text, text)');

CREATE FUNCTION barnum_reschedule_appointment(p_appointment_id uuid, p_starts_at timestamptz)
RETURNS TABLE (id uuid, patient_id uuid, status text, date text, "time" text, starts_at timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, barnum
AS $$
BEGIN
  PERFORM contract_reschedule(p_appointment_id, p_starts_at);
  RETURN QUERY SELECT * FROM barnum_appointment_summary(p_appointment_id);
END
$$;
SELECT barnum_secure_function('barnum_reschedule_appointment(uuid, timestamptz)');

-- What is wrong with the installed contract, one line per problem (none: it holds). barnum migrate,
-- the server's readiness check and the n8n credential test report these lines as they are.
CREATE FUNCTION contract_problems() RETURNS SETOF text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_statuses text;
  v_count bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM contract c) THEN
    RETURN NEXT 'no appointment contract is installed: run barnum migrate --contract builtin, seed or a file of your own (docs/database.md)';
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgfoid = 'barnum_appointment_changed()'::regprocedure AND NOT t.tgisinternal) THEN
    RETURN NEXT 'no appointments table is attached: SELECT barnum.attach_appointments(''<schema>.<table>''); (docs/database.md)';
  END IF;
  SELECT string_agg(DISTINCT coalesce(quote_literal(a.status), 'NULL'), ', '), count(*) INTO v_statuses, v_count
    FROM appointments a
   WHERE a.status IS NULL OR a.status NOT IN ('scheduled', 'pre_confirmed', 'confirmed', 'cancelled', 'no_show', 'completed');
  IF v_count > 0 THEN
    RETURN NEXT format('barnum.appointments has %s row(s) whose status maps to nothing Barnum knows (%s): map every status to scheduled, pre_confirmed, confirmed, cancelled, no_show or completed',
                       v_count, v_statuses);
  END IF;
  SELECT count(*) INTO v_count FROM appointments a WHERE a.id IS NULL OR a.patient_id IS NULL;
  IF v_count > 0 THEN
    RETURN NEXT format('barnum.appointments has %s row(s) without an id or a patient_id', v_count);
  END IF;
END
$$;

-- Which contract is installed, and the text it was installed from (core/db/contract.ts).
CREATE TABLE contract (
  id boolean PRIMARY KEY DEFAULT true CONSTRAINT contract_single_row CHECK (id),
  name text NOT NULL,
  md5 text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now()
);
SELECT barnum_secure_table('contract', 'SELECT');
SELECT barnum_secure_function('contract_problems()');
