-- Barnum 005: what the outbox engine needs beyond the seed — wake-ups, delivery results, skip
-- reasons, idempotent enqueue, reminders before the appointment, quiet hours, retry backoff with
-- jitter, the state re-check at claim, and the seed's outbound payload built at claim. Reminders
-- are planned by the appointment trigger (014).

ALTER TABLE whatsapp_events
  ADD COLUMN whatsapp_message_id text,
  -- Why a row was skipped, cancelled or replayed (last_error keeps the last delivery failure).
  ADD COLUMN status_reason text,
  -- Optional: a second enqueue with the same key is a no-op (one reactivation per patient per period).
  ADD COLUMN dedupe_key text,
  -- Replies to someone who just wrote to us may go out at night; campaigns and reminders wait.
  ADD COLUMN respect_quiet_hours boolean NOT NULL DEFAULT true;

CREATE UNIQUE INDEX idx_whatsapp_events_dedupe ON whatsapp_events (dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX idx_whatsapp_events_dead_letter ON whatsapp_events (event_type, updated_at) WHERE status = 'dead_letter';

-- One wake-up per transaction, however many rows it inserts: PostgreSQL folds identical
-- notifications on a channel within a transaction into one, and the insert trigger fires per statement.
CREATE FUNCTION barnum_notify_outbox() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
BEGIN
  PERFORM pg_notify('barnum_outbox', '');
  RETURN NULL;
END
$$;
SELECT barnum_secure_function('barnum_notify_outbox()', false);

CREATE TRIGGER trg_whatsapp_events_notify_insert
  AFTER INSERT ON whatsapp_events
  FOR EACH STATEMENT EXECUTE FUNCTION barnum_notify_outbox();
-- Retries, replays and deferrals make a row pending or move when it is due: consumers recompute
-- their timers. Only those rows notify. The consumers' own claims, acks and skips must not: every
-- consumer's LISTEN connection hears every notification, its own included, so a claim that
-- notified (a statement-level trigger fires even when no row changed) would wake all consumers to
-- claim again, for ever. Per row with a WHEN, so no other update pays for it; the notifications
-- of one transaction still fold into one.
CREATE TRIGGER trg_whatsapp_events_notify_update
  AFTER UPDATE OF status, scheduled_for ON whatsapp_events
  FOR EACH ROW
  WHEN (NEW.status = 'pending'
        AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.scheduled_for IS DISTINCT FROM NEW.scheduled_for))
  EXECUTE FUNCTION barnum_notify_outbox();

-- create_whatsapp_event gains a dedupe key and the quiet-hours flag. Same name and leading
-- parameters as the seed; returns NULL when the dedupe key was already used.
DROP FUNCTION create_whatsapp_event(text, text, uuid, uuid, timestamptz, jsonb, integer);
CREATE FUNCTION create_whatsapp_event(
  p_event_type text,
  p_entity_type text,
  p_entity_id uuid,
  p_workflow_id uuid DEFAULT NULL,
  p_scheduled_for timestamptz DEFAULT now(),
  p_payload jsonb DEFAULT '{}'::jsonb,
  p_max_retries integer DEFAULT NULL,
  p_dedupe_key text DEFAULT NULL,
  p_respect_quiet_hours boolean DEFAULT true
) RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_id uuid;
BEGIN
  INSERT INTO whatsapp_events (event_type, entity_type, entity_id, workflow_id, payload, scheduled_for, max_retries,
                               dedupe_key, respect_quiet_hours)
  SELECT p_event_type, p_entity_type, p_entity_id, p_workflow_id, coalesce(p_payload, '{}'::jsonb),
         coalesce(p_scheduled_for, now()), coalesce(p_max_retries, s.max_retries), p_dedupe_key,
         coalesce(p_respect_quiet_hours, true)
    FROM barnum_settings s
  ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
  RETURNING id INTO v_id;
  RETURN v_id;
END
$$;
SELECT barnum_secure_function('create_whatsapp_event(text, text, uuid, uuid, timestamptz, jsonb, integer, text, boolean)');

-- The instant quiet hours end if p_at falls inside them, else p_at itself. Quiet hours are wall
-- clock times in the business's timezone, so the answer moves with daylight-saving time.
CREATE FUNCTION barnum_quiet_hours_end(p_at timestamptz) RETURNS timestamptz
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_tz text;
  v_start time;
  v_end time;
  v_local timestamp;
  v_clock time;
BEGIN
  SELECT s.timezone, s.quiet_hours_start, s.quiet_hours_end INTO v_tz, v_start, v_end FROM barnum_settings s;
  IF v_start IS NULL OR v_start = v_end THEN
    RETURN p_at;
  END IF;
  v_local := p_at AT TIME ZONE v_tz;
  v_clock := v_local::time;
  IF v_start < v_end THEN
    IF v_clock >= v_start AND v_clock < v_end THEN
      RETURN (v_local::date + v_end) AT TIME ZONE v_tz;
    END IF;
  ELSIF v_clock >= v_start THEN
    RETURN (v_local::date + 1 + v_end) AT TIME ZONE v_tz;
  ELSIF v_clock < v_end THEN
    RETURN (v_local::date + v_end) AT TIME ZONE v_tz;
  END IF;
  RETURN p_at;
END
$$;
SELECT barnum_secure_function('barnum_quiet_hours_end(timestamptz)');

-- Exponential backoff with ±20 % jitter (Svix's schedule uses the same spread): retry n waits
-- about base * 2^(n-1), capped at retry_max_delay, so failed deliveries do not retry in lockstep.
CREATE FUNCTION barnum_retry_delay(p_retry integer) RETURNS interval
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
  SELECT make_interval(secs => least(extract(epoch FROM s.retry_max_delay)::float8,
                                     extract(epoch FROM s.retry_base_delay)::float8 * power(2, least(greatest(p_retry, 1), 40) - 1))
                               * (0.8 + random() * 0.4))
    FROM barnum_settings s
$$;
SELECT barnum_secure_function('barnum_retry_delay(integer)');

-- Cancels an appointment's pending events of the given types, with a reason, and their
-- conversation records. Returns how many events it cancelled.
CREATE FUNCTION barnum_cancel_appointment_events(p_appointment_id uuid, p_event_types text[], p_reason text)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_count integer;
BEGIN
  WITH cancelled AS (
    UPDATE whatsapp_events e
       SET status = 'cancelled', status_reason = p_reason, processed_at = now()
     WHERE e.entity_type = 'appointment' AND e.entity_id = p_appointment_id
       AND e.status = 'pending' AND e.event_type = ANY (p_event_types)
    RETURNING e.workflow_id
  ), records AS (
    UPDATE whatsapp_workflows w SET status = 'cancelled', response = coalesce(w.response, p_reason)
      FROM cancelled c WHERE w.id = c.workflow_id AND w.status = 'pending'
    RETURNING 1
  )
  SELECT count(*) INTO v_count FROM cancelled;
  RETURN v_count;
END
$$;
SELECT barnum_secure_function('barnum_cancel_appointment_events(uuid, text[], text)');

-- Why an event should no longer be delivered, or NULL when it should. Checked at claim time,
-- because hours can pass between enqueue and delivery: the top complaint about reminder systems
-- is a reminder for an appointment that was cancelled or moved. Later migrations extend it
-- (CREATE OR REPLACE) for their own entity types.
CREATE FUNCTION barnum_event_skip_reason(p_event whatsapp_events) RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_appointment appointments;
  v_patient patients;
BEGIN
  IF p_event.entity_type = 'appointment' THEN
    SELECT * INTO v_appointment FROM appointments a WHERE a.id = p_event.entity_id;
    IF NOT FOUND THEN
      RETURN 'appointment no longer exists';
    END IF;
    SELECT * INTO v_patient FROM patients p WHERE p.id = v_appointment.patient_id;
    IF NOT FOUND THEN
      RETURN 'the appointment''s patient is not in the contract''s patients view';
    END IF;
  ELSIF p_event.entity_type = 'patient' THEN
    SELECT * INTO v_patient FROM patients p WHERE p.id = p_event.entity_id;
    IF NOT FOUND THEN
      RETURN 'patient no longer exists';
    END IF;
  ELSE
    RETURN NULL;
  END IF;

  IF EXISTS (SELECT 1 FROM contact_preferences c WHERE c.patient_id = v_patient.id AND c.whatsapp_opted_out_at IS NOT NULL) THEN
    RETURN 'patient opted out of WhatsApp messages';
  END IF;
  IF v_patient.phone IS NULL OR btrim(v_patient.phone) = '' THEN
    RETURN 'patient has no phone number';
  END IF;
  IF v_patient.phone !~ '^\+[1-9][0-9]{6,14}$' THEN
    RETURN 'patient phone number is not in international (E.164) form';
  END IF;
  IF v_appointment.id IS NULL THEN
    RETURN NULL;
  END IF;
  IF v_appointment.starts_at IS NULL THEN
    RETURN 'appointment has no start time';
  END IF;
  IF v_appointment.status IS NULL OR v_appointment.status NOT IN ('scheduled', 'pre_confirmed', 'confirmed', 'cancelled', 'no_show', 'completed') THEN
    RETURN 'appointment status is not one Barnum knows: the contract maps it to nothing';
  END IF;

  CASE p_event.event_type
    WHEN 'appointment.pre_confirmed', 'appointment.reminder' THEN
      IF v_appointment.status = 'cancelled' THEN
        RETURN 'appointment cancelled';
      ELSIF v_appointment.status IN ('no_show', 'completed') THEN
        RETURN 'appointment already ' || replace(v_appointment.status, '_', '-');
      ELSIF v_appointment.starts_at <= now() THEN
        RETURN 'appointment already started';
      ELSIF p_event.event_type = 'appointment.reminder'
            AND (p_event.payload ->> 'starts_at')::timestamptz IS DISTINCT FROM v_appointment.starts_at THEN
        RETURN 'appointment rescheduled since this reminder was planned';
      END IF;
    WHEN 'appointment.no_show' THEN
      IF v_appointment.status <> 'no_show' THEN
        RETURN 'appointment no longer marked as a no-show';
      END IF;
    WHEN 'appointment.review_request' THEN
      IF v_appointment.status <> 'completed' THEN
        RETURN 'appointment no longer completed';
      END IF;
    ELSE
      NULL;
  END CASE;
  RETURN NULL;
END
$$;
SELECT barnum_secure_function('barnum_event_skip_reason(whatsapp_events)');

-- Which one-click links an event's message carries.
CREATE FUNCTION barnum_event_link_actions(p_event_type text) RETURNS text[]
LANGUAGE sql
IMMUTABLE
SET search_path = pg_catalog
AS $$
  SELECT CASE p_event_type
           WHEN 'appointment.pre_confirmed' THEN ARRAY['confirm', 'cancel', 'reschedule']
           WHEN 'appointment.reminder' THEN ARRAY['confirm', 'cancel', 'reschedule']
           WHEN 'appointment.no_show' THEN ARRAY['reschedule']
           ELSE ARRAY[]::text[]
         END
$$;
SELECT barnum_secure_function('barnum_event_link_actions(text)');

-- The seed's outbound payload (event_type, entity_id, created_at, workflow_id, appointment with
-- patient/professional/specialty, action_links) plus delivery metadata. With p_preview the links
-- carry a placeholder and no token is created: the n8n editor's test mode uses it.
CREATE FUNCTION barnum_event_message(p_event whatsapp_events, p_preview boolean DEFAULT false) RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_settings barnum_settings;
  v_appointment jsonb;
  v_patient jsonb;
  v_patient_id uuid;
  v_links jsonb := '{}'::jsonb;
  v_action text;
  v_token text;
BEGIN
  SELECT * INTO v_settings FROM barnum_settings;

  IF p_event.entity_type = 'appointment' THEN
    SELECT jsonb_build_object(
             'id', a.id,
             'date', to_char(a.date, 'YYYY-MM-DD'),
             'time', to_char(a.time, 'HH24:MI'),
             'starts_at', a.starts_at,
             'timezone', v_settings.timezone,
             'duration_minutes', a.duration_minutes,
             'status', a.status,
             'patient', jsonb_build_object('id', p.id, 'name', p.name, 'phone', p.phone,
                                           'locale', coalesce(p.locale, v_settings.default_locale)),
             'professional', CASE WHEN pr.id IS NULL THEN NULL ELSE jsonb_build_object('id', pr.id, 'name', pr.name) END,
             'specialty', CASE WHEN sp.id IS NULL THEN NULL ELSE jsonb_build_object('id', sp.id, 'name', sp.name) END),
           p.id
      INTO v_appointment, v_patient_id
      FROM appointments a
      JOIN patients p ON p.id = a.patient_id
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
          rtrim(v_settings.public_base_url, '/') || '/api/action?type=' || v_action || '&token=' || v_token);
      END LOOP;
    END IF;
  ELSIF p_event.entity_type = 'patient' THEN
    SELECT jsonb_build_object('id', p.id, 'name', p.name, 'phone', p.phone,
                              'locale', coalesce(p.locale, v_settings.default_locale))
      INTO v_patient FROM patients p WHERE p.id = p_event.entity_id;
  END IF;

  RETURN jsonb_strip_nulls(jsonb_build_object(
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
    'business', jsonb_build_object('name', v_settings.business_name, 'timezone', v_settings.timezone,
                                   'locale', v_settings.default_locale),
    'appointment', v_appointment,
    'patient', v_patient,
    'action_links', CASE WHEN v_links = '{}'::jsonb THEN NULL ELSE v_links END,
    'payload', p_event.payload
  ));
END
$$;
SELECT barnum_secure_function('barnum_event_message(whatsapp_events, boolean)');
