-- Barnum 007: the resort sales channel — properties, guests (phone encrypted at rest, found by a
-- blind index), bookings with their status history and activity, an audit log of who read or
-- changed guest data, and the booking branch of the outbox engine (timers, re-check, message).
--
-- Guests' phone numbers are encrypted by the application (AES-256-GCM, core/resort/guest-crypto.ts)
-- before they reach PostgreSQL: the database stores ciphertext and an HMAC blind index, and never
-- sees a plain number. The CHECK on guests.phone_encrypted refuses anything that is not ciphertext.

-- Who the application says is acting (set per transaction with set_config('barnum.actor', …, true)),
-- for the audit log and the status history; a write straight from psql says so.
CREATE FUNCTION barnum_actor() RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog
AS $$ SELECT coalesce(nullif(current_setting('barnum.actor', true), ''), 'direct-sql') $$;
SELECT barnum_secure_function('barnum_actor()');

-- One row per location: a resort property, or a clinic group's site (docs/database.md,
-- "Locations"). The platform's id is external_id; the rest is how Barnum writes to its guests and
-- patients there.
-- Quiet hours left NULL fall back to the business-wide ones in barnum_settings (applied at claim);
-- set here, they apply in the property's own timezone when an event is planned.
CREATE TABLE locations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  external_id text NOT NULL UNIQUE
    CONSTRAINT locations_external_id_present CHECK (length(btrim(external_id)) BETWEEN 1 AND 200),
  name text NOT NULL CONSTRAINT locations_name_present CHECK (length(btrim(name)) > 0),
  timezone text NOT NULL DEFAULT 'Europe/Lisbon'
    CONSTRAINT locations_timezone_known CHECK (barnum_is_valid_timezone(timezone)),
  locale text NOT NULL DEFAULT 'pt-PT'
    CONSTRAINT locations_locale_supported CHECK (locale IN ('pt-PT', 'en', 'pt-BR', 'es')),
  quiet_hours_start time,
  quiet_hours_end time,
  -- A clinic site's: the public address of its links, and the WhatsApp number it sends from.
  public_base_url text
    CONSTRAINT locations_public_base_url_http CHECK (public_base_url ~ '^https?://[^/\s?#]+(/[^\s?#]*)?$'),
  whatsapp_phone_number_id text
    CONSTRAINT locations_whatsapp_phone_number_id_digits CHECK (whatsapp_phone_number_id ~ '^[0-9]{1,30}$'),
  abandonment_delay interval NOT NULL DEFAULT '1 hour'
    CONSTRAINT locations_abandonment_delay_positive CHECK (abandonment_delay > interval '0'),
  reminder_2_enabled boolean NOT NULL DEFAULT true,
  reminder_2_delay interval NOT NULL DEFAULT '24 hours'
    CONSTRAINT locations_reminder_2_delay_positive CHECK (reminder_2_delay > interval '0'),
  check_in_time time NOT NULL DEFAULT '15:00',
  check_out_time time NOT NULL DEFAULT '11:00',
  -- The review request goes out at check_out_time on the check-out date plus this, on the wall clock.
  review_delay interval NOT NULL DEFAULT '3 hours'
    CONSTRAINT locations_review_delay_not_negative CHECK (review_delay >= interval '0'),
  -- Approved WhatsApp template per message (reminder_1, reminder_2, confirmation, review_request).
  whatsapp_templates jsonb NOT NULL DEFAULT jsonb_build_object(
    'reminder_1', 'barnum_booking_reminder',
    'reminder_2', 'barnum_booking_reminder',
    'confirmation', 'barnum_reservation_confirmation',
    'review_request', 'barnum_post_stay_review')
    CONSTRAINT locations_whatsapp_templates_object CHECK (jsonb_typeof(whatsapp_templates) = 'object'),
  -- Sent instead when WhatsApp answers 132001 (template does not exist); {{placeholders}} are filled
  -- by core/resort/fallback.ts.
  fallback_messages jsonb NOT NULL DEFAULT jsonb_build_object(
    'reminder_1', 'Hi {{guest_name}}, your stay at {{property_name}} is still waiting for you. You can finish your booking here: {{resume_url}}',
    'reminder_2', 'Hi {{guest_name}}, the dates you chose at {{property_name}} may not stay free for long. Your booking: {{resume_url}}',
    'confirmation', 'Hi {{guest_name}}, your reservation at {{property_name}} is confirmed: {{check_in}} to {{check_out}} (reference {{booking_reference}}).',
    'review_request', 'Thank you for staying at {{property_name}}, {{guest_name}}! How was your stay? We would love to read your review.')
    CONSTRAINT locations_fallback_messages_object CHECK (jsonb_typeof(fallback_messages) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT locations_quiet_hours_both_or_neither CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL))
);

-- phone_status: valid (ciphertext and blind index), invalid (what the platform sent, encrypted, no
-- index: recorded, never messaged), missing.
CREATE TABLE guests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text CONSTRAINT guests_name_present CHECK (name IS NULL OR length(btrim(name)) > 0),
  phone_encrypted text
    CONSTRAINT guests_phone_encrypted_is_ciphertext
    CHECK (phone_encrypted ~ '^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$'),
  phone_blind_index bytea CONSTRAINT guests_phone_blind_index_is_hmac CHECK (octet_length(phone_blind_index) = 32),
  phone_status text NOT NULL DEFAULT 'missing'
    CONSTRAINT guests_phone_status_known CHECK (phone_status IN ('valid', 'invalid', 'missing')),
  locale text CONSTRAINT guests_locale_supported CHECK (locale IN ('pt-PT', 'en', 'pt-BR', 'es')),
  whatsapp_opted_out_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT guests_phone_index_when_valid CHECK ((phone_status = 'valid') = (phone_blind_index IS NOT NULL)),
  CONSTRAINT guests_phone_ciphertext_unless_missing CHECK ((phone_status = 'missing') = (phone_encrypted IS NULL))
);

-- One guest per number: an inbound WhatsApp message finds its guest through this index.
CREATE UNIQUE INDEX idx_guests_phone_blind_index ON guests (phone_blind_index) WHERE phone_blind_index IS NOT NULL;

-- A booking from its first click to the end of the stay. Dates are the property's wall clock.
-- status_changed_at and last_activity_at are the platform's times (occurredAt), so an event that
-- arrives late or out of order is recognised as stale instead of undoing a newer one.
CREATE TABLE bookings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
  guest_id uuid REFERENCES guests (id) ON DELETE SET NULL,
  platform text NOT NULL CONSTRAINT bookings_platform_shape CHECK (platform ~ '^[a-z][a-z0-9_-]{0,31}$'),
  external_id text NOT NULL CONSTRAINT bookings_external_id_present CHECK (length(btrim(external_id)) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'started'
    CONSTRAINT bookings_status_known
    CHECK (status IN ('started', 'abandoned', 'confirmed', 'checked_in', 'checked_out', 'cancelled')),
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  check_in date,
  check_out date,
  adults integer CONSTRAINT bookings_adults_positive CHECK (adults > 0),
  children integer CONSTRAINT bookings_children_not_negative CHECK (children >= 0),
  room_type text,
  total_amount numeric(12, 2) CONSTRAINT bookings_total_amount_not_negative CHECK (total_amount >= 0),
  currency text CONSTRAINT bookings_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
  resume_url text CONSTRAINT bookings_resume_url_http CHECK (resume_url ~ '^https?://'),
  confirmation_code text,
  -- Check-in tracking, kept from the confirmation on: the instant the guest is expected.
  expected_check_in_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT bookings_platform_reference_unique UNIQUE (property_id, platform, external_id),
  CONSTRAINT bookings_stay_after_arrival CHECK (check_out > check_in)
);

CREATE INDEX idx_bookings_guest ON bookings (guest_id);
CREATE INDEX idx_bookings_status ON bookings (property_id, status);

-- Every status a booking went through, written by a trigger whatever changed it. Append-only.
-- occurred_at is the platform's time of the change (NULL when Barnum's own abandonment timer made
-- it), changed_at the database's.
CREATE TABLE booking_status_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  from_status text,
  to_status text NOT NULL,
  occurred_at timestamptz,
  changed_at timestamptz NOT NULL DEFAULT now(),
  db_role text NOT NULL DEFAULT current_user,
  actor text NOT NULL
);
CREATE INDEX idx_booking_status_history_booking ON booking_status_history (booking_id, id);

-- Every platform event received for a booking, with what it did (applied, unchanged, ignored).
CREATE TABLE booking_activities (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  platform_event_id text,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  outcome text NOT NULL CONSTRAINT booking_activities_outcome_known CHECK (outcome IN ('applied', 'unchanged', 'ignored')),
  note text,
  actor text NOT NULL
);
CREATE INDEX idx_booking_activities_booking ON booking_activities (booking_id, id);

-- Who read or changed guest data: the database role and the application's actor, which guest,
-- which fields, when. Append-only for barnum_app; no foreign key, so the trail outlives the guest.
CREATE TABLE guest_audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guest_id uuid NOT NULL,
  action text NOT NULL CONSTRAINT guest_audit_log_action_known CHECK (action IN ('read', 'insert', 'update', 'delete')),
  fields text[] NOT NULL DEFAULT '{}',
  db_role text NOT NULL DEFAULT current_user,
  actor text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  context jsonb
);
CREATE INDEX idx_guest_audit_log_guest ON guest_audit_log (guest_id, at);

CREATE TRIGGER trg_locations_updated_at BEFORE UPDATE ON locations
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();
CREATE TRIGGER trg_guests_updated_at BEFORE UPDATE ON guests
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();
CREATE TRIGGER trg_bookings_updated_at BEFORE UPDATE ON bookings
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();

SELECT barnum_secure_table('locations');
SELECT barnum_secure_table('guests');
SELECT barnum_secure_table('bookings');
SELECT barnum_secure_table('booking_status_history', 'SELECT, INSERT');
SELECT barnum_secure_table('booking_activities', 'SELECT, INSERT');
SELECT barnum_secure_table('guest_audit_log', 'SELECT, INSERT');

-- Audit of changes, by trigger so no writer can forget it. SECURITY INVOKER on purpose: the log's
-- db_role (current_user) is then the role that made the change, not the function's owner.
CREATE FUNCTION barnum_guest_audit_fn() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_fields text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO guest_audit_log (guest_id, action, actor) VALUES (OLD.id, 'delete', barnum_actor());
    RETURN NULL;
  END IF;
  SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}')
    INTO v_fields
    FROM jsonb_each(to_jsonb(NEW)) n
    LEFT JOIN jsonb_each(CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) ELSE '{}'::jsonb END) o ON o.key = n.key
   WHERE n.key NOT IN ('id', 'created_at', 'updated_at')
     AND n.value IS DISTINCT FROM coalesce(o.value, 'null'::jsonb);
  IF TG_OP = 'UPDATE' AND cardinality(v_fields) = 0 THEN
    RETURN NULL;
  END IF;
  INSERT INTO guest_audit_log (guest_id, action, fields, actor) VALUES (NEW.id, lower(TG_OP), v_fields, barnum_actor());
  RETURN NULL;
END
$$;
SELECT barnum_secure_function('barnum_guest_audit_fn()', false);

CREATE TRIGGER trg_guests_audit
  AFTER INSERT OR UPDATE OR DELETE ON guests
  FOR EACH ROW EXECUTE FUNCTION barnum_guest_audit_fn();

CREATE FUNCTION barnum_booking_status_history_fn() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
    RETURN NULL;
  END IF;
  INSERT INTO booking_status_history (booking_id, from_status, to_status, occurred_at, actor)
  VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
          CASE WHEN TG_OP = 'INSERT' OR NEW.status_changed_at IS DISTINCT FROM OLD.status_changed_at
               THEN NEW.status_changed_at END,
          barnum_actor());
  RETURN NULL;
END
$$;
SELECT barnum_secure_function('barnum_booking_status_history_fn()', false);

CREATE TRIGGER trg_booking_status_history
  AFTER INSERT OR UPDATE OF status ON bookings
  FOR EACH ROW EXECUTE FUNCTION barnum_booking_status_history_fn();

-- The instant a wall-clock date and time (plus a wall-clock delay) stands for in a property's
-- timezone: "14:00 the day after check-out" stays 14:00 across a daylight-saving change.
CREATE FUNCTION barnum_property_wall_clock(p_property_id uuid, p_date date, p_time time, p_delay interval DEFAULT interval '0')
RETURNS timestamptz
LANGUAGE sql
STABLE
SET search_path = pg_catalog, barnum
AS $$
  SELECT ((p_date + p_time) + p_delay) AT TIME ZONE p.timezone FROM locations p WHERE p.id = p_property_id
$$;
SELECT barnum_secure_function('barnum_property_wall_clock(uuid, date, time, interval)');

-- barnum_quiet_hours_end for quiet hours of one's own (a property's) rather than barnum_settings'.
CREATE FUNCTION barnum_quiet_hours_end_in(p_at timestamptz, p_timezone text, p_start time, p_end time)
RETURNS timestamptz
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog
AS $$
DECLARE
  v_local timestamp := p_at AT TIME ZONE p_timezone;
  v_clock time := (p_at AT TIME ZONE p_timezone)::time;
BEGIN
  IF p_start IS NULL OR p_end IS NULL OR p_start = p_end THEN
    RETURN p_at;
  ELSIF p_start < p_end THEN
    IF v_clock >= p_start AND v_clock < p_end THEN
      RETURN (v_local::date + p_end) AT TIME ZONE p_timezone;
    END IF;
  ELSIF v_clock >= p_start THEN
    RETURN (v_local::date + 1 + p_end) AT TIME ZONE p_timezone;
  ELSIF v_clock < p_end THEN
    RETURN (v_local::date + p_end) AT TIME ZONE p_timezone;
  END IF;
  RETURN p_at;
END
$$;
SELECT barnum_secure_function('barnum_quiet_hours_end_in(timestamptz, text, time, time)');

-- Queues a message about a booking: never in the past, out of the property's quiet hours when it
-- has its own. Reminders remember the activity they answer (payload.activity_at), so one planned
-- before the guest came back is skipped at claim. p_once: a second call for the same booking and
-- message (for a reminder: and the same activity) does nothing and returns a NULL event_id.
CREATE FUNCTION barnum_booking_enqueue(
  p_booking_id uuid,
  p_event_type text,
  p_at timestamptz,
  p_payload jsonb DEFAULT '{}'::jsonb,
  p_once boolean DEFAULT false,
  p_respect_quiet_hours boolean DEFAULT true
) RETURNS TABLE (event_id uuid, scheduled_for timestamptz)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_booking bookings;
  v_property locations;
  v_payload jsonb := coalesce(p_payload, '{}'::jsonb);
  v_own_quiet boolean;
  v_key text;
BEGIN
  SELECT * INTO v_booking FROM bookings b WHERE b.id = p_booking_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'barnum_booking_enqueue: booking % does not exist', p_booking_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT * INTO v_property FROM locations p WHERE p.id = v_booking.property_id;
  IF p_event_type = 'booking.reminder' THEN
    v_payload := v_payload || jsonb_build_object('activity_at', v_booking.last_activity_at);
  END IF;
  scheduled_for := greatest(coalesce(p_at, now()), now());
  v_own_quiet := v_property.quiet_hours_start IS NOT NULL;
  IF p_respect_quiet_hours AND v_own_quiet THEN
    scheduled_for := barnum_quiet_hours_end_in(scheduled_for, v_property.timezone, v_property.quiet_hours_start, v_property.quiet_hours_end);
  END IF;
  IF p_once THEN
    v_key := 'booking:' || p_booking_id || ':' || p_event_type || coalesce(':' || (v_payload ->> 'number'), '')
             || CASE WHEN p_event_type = 'booking.reminder'
                     THEN ':' || (extract(epoch FROM v_booking.last_activity_at) * 1000000)::bigint ELSE '' END;
  END IF;
  event_id := create_whatsapp_event(p_event_type, 'booking', p_booking_id, NULL, scheduled_for, v_payload, NULL, v_key,
                                    p_respect_quiet_hours AND NOT v_own_quiet);
  RETURN NEXT;
END
$$;
SELECT barnum_secure_function('barnum_booking_enqueue(uuid, text, timestamptz, jsonb, boolean, boolean)');

-- Cancels a booking's pending events of the given types (all types when NULL), with a reason.
CREATE FUNCTION barnum_cancel_booking_events(p_booking_id uuid, p_event_types text[], p_reason text)
RETURNS integer
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
  WITH cancelled AS (
    UPDATE whatsapp_events e
       SET status = 'cancelled', status_reason = p_reason, processed_at = now()
     WHERE e.entity_type = 'booking' AND e.entity_id = p_booking_id AND e.status = 'pending'
       AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
    RETURNING 1
  )
  SELECT count(*)::integer FROM cancelled
$$;
SELECT barnum_secure_function('barnum_cancel_booking_events(uuid, text[], text)');

-- The internal abandonment timer. booking_started queues reminder #1 for abandonment_delay later
-- (payload.trigger = 'abandonment_check'); when a consumer claims it, the re-check has already
-- established that the booking is still only started and the guest has not been back. Claiming it
-- is therefore the moment the abandonment is detected: the booking becomes 'abandoned' and
-- reminder #2 is planned, as processBookingAbandoned does for a platform that reports it itself.
-- The booking is taken with SKIP LOCKED: a transaction changing it right now (a confirmation) wins,
-- and nothing here waits on it (no deadlock with a receiver that locks the booking, then its events).
-- status_changed_at is left alone: it is the platform's clock, against which its events are judged
-- stale, and the database's clock must not make a slightly late confirmation look old.
CREATE FUNCTION barnum_booking_abandonment_timer_fn() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_booking bookings;
  v_property locations;
  v_actor text := current_setting('barnum.actor', true);
BEGIN
  SELECT * INTO v_booking FROM bookings b WHERE b.id = NEW.entity_id AND b.status = 'started' FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO v_property FROM locations p WHERE p.id = v_booking.property_id;
  PERFORM set_config('barnum.actor', 'abandonment-timer', true);
  UPDATE bookings SET status = 'abandoned' WHERE id = v_booking.id;
  IF v_property.reminder_2_enabled THEN
    PERFORM barnum_booking_enqueue(v_booking.id, 'booking.reminder', now() + v_property.reminder_2_delay,
                                   jsonb_build_object('number', 2, 'trigger', 'abandonment_check'), true, true);
  END IF;
  PERFORM set_config('barnum.actor', coalesce(v_actor, ''), true);
  RETURN NULL;
END
$$;
SELECT barnum_secure_function('barnum_booking_abandonment_timer_fn()', false);

CREATE TRIGGER trg_booking_abandonment_timer
  AFTER UPDATE OF status ON whatsapp_events
  FOR EACH ROW
  WHEN (OLD.status = 'pending' AND NEW.status = 'processing' AND NEW.entity_type = 'booking'
        AND NEW.event_type = 'booking.reminder'
        AND NEW.payload ->> 'trigger' = 'abandonment_check' AND NEW.payload ->> 'number' = '1')
  EXECUTE FUNCTION barnum_booking_abandonment_timer_fn();

-- Why a booking event should no longer be delivered, or NULL. Reminders stop once the guest has
-- booked, cancelled or checked in, or came back after the reminder was planned; reminder #2 needs
-- reminder #1 to have gone out; a review request needs a stay that happened. Nothing goes to an
-- opted-out guest or one whose number is invalid. Custom event types about a booking are checked
-- for the guest only, and not at all when the booking is gone (they are the integration's business).
CREATE FUNCTION barnum_booking_skip_reason(p_event whatsapp_events) RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_booking bookings;
  v_guest guests;
BEGIN
  SELECT * INTO v_booking FROM bookings b WHERE b.id = p_event.entity_id;
  IF NOT FOUND THEN
    RETURN CASE WHEN p_event.event_type LIKE 'booking.%' THEN 'booking no longer exists' END;
  END IF;
  SELECT * INTO v_guest FROM guests g WHERE g.id = v_booking.guest_id;
  IF NOT FOUND THEN
    RETURN 'booking has no guest to write to';
  ELSIF v_guest.whatsapp_opted_out_at IS NOT NULL THEN
    RETURN 'guest opted out of WhatsApp messages';
  ELSIF v_guest.phone_status = 'invalid' THEN
    RETURN 'guest phone number is invalid';
  ELSIF v_guest.phone_status <> 'valid' THEN
    RETURN 'guest has no phone number';
  END IF;

  CASE p_event.event_type
    WHEN 'booking.reminder' THEN
      IF v_booking.status NOT IN ('started', 'abandoned') THEN
        RETURN 'booking already ' || replace(v_booking.status, '_', '-');
      ELSIF v_booking.last_activity_at > (p_event.payload ->> 'activity_at')::timestamptz THEN
        RETURN 'guest active since this reminder was planned';
      ELSIF p_event.payload ->> 'number' = '2' AND NOT EXISTS (
              SELECT 1 FROM whatsapp_events r
               WHERE r.entity_type = 'booking' AND r.entity_id = v_booking.id AND r.event_type = 'booking.reminder'
                 AND r.payload ->> 'number' = '1' AND r.status = 'sent'
                 AND (r.payload ->> 'activity_at')::timestamptz = (p_event.payload ->> 'activity_at')::timestamptz) THEN
        RETURN 'reminder #1 was not sent';
      END IF;
    WHEN 'booking.confirmation' THEN
      IF v_booking.status NOT IN ('confirmed', 'checked_in', 'checked_out') THEN
        RETURN 'booking no longer confirmed (' || replace(v_booking.status, '_', '-') || ')';
      END IF;
    WHEN 'booking.review_request' THEN
      IF v_booking.status = 'cancelled' THEN
        RETURN 'stay cancelled';
      ELSIF v_booking.status NOT IN ('checked_in', 'checked_out') THEN
        RETURN 'guest has not checked in';
      END IF;
    ELSE
      NULL;
  END CASE;
  RETURN NULL;
END
$$;
SELECT barnum_secure_function('barnum_booking_skip_reason(whatsapp_events)');

-- The engine's re-check gains the booking branch by delegation rather than by copying 005's body:
-- the clinic logic stays exactly as 005 wrote it, under a name of its own, and a later entity type
-- can be added the same way.
ALTER FUNCTION barnum_event_skip_reason(whatsapp_events) RENAME TO barnum_event_skip_reason_clinic;
CREATE FUNCTION barnum_event_skip_reason(p_event whatsapp_events) RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, barnum
AS $$
  SELECT CASE WHEN p_event.entity_type = 'booking' THEN barnum_booking_skip_reason(p_event)
              ELSE barnum_event_skip_reason_clinic(p_event) END
$$;
SELECT barnum_secure_function('barnum_event_skip_reason(whatsapp_events)');

-- The booking part of an outbound message: reservation, guest (phone as ciphertext: the consumer
-- decrypts it with the guest data key, see core/resort/guest-crypto.ts), property, the template to
-- send and the fallback text. Reading the guest is recorded in guest_audit_log.
CREATE FUNCTION barnum_booking_message(p_event whatsapp_events, p_preview boolean DEFAULT false) RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_message jsonb;
  v_guest_id uuid;
  v_kind text := CASE WHEN p_event.event_type = 'booking.reminder'
                      THEN 'reminder_' || coalesce(p_event.payload ->> 'number', '1')
                      ELSE regexp_replace(p_event.event_type, '^booking\.', '') END;
BEGIN
  SELECT jsonb_build_object(
           'id', b.id,
           'reference', b.external_id,
           'platform', b.platform,
           'status', b.status,
           'check_in', to_char(b.check_in, 'YYYY-MM-DD'),
           'check_out', to_char(b.check_out, 'YYYY-MM-DD'),
           'adults', b.adults,
           'children', b.children,
           'room_type', b.room_type,
           'total_amount', b.total_amount,
           'currency', b.currency,
           'resume_url', b.resume_url,
           'confirmation_code', b.confirmation_code,
           'expected_check_in_at', b.expected_check_in_at,
           'reminder_number', CASE WHEN p_event.event_type = 'booking.reminder' THEN (p_event.payload ->> 'number')::int END,
           'guest', CASE WHEN g.id IS NULL THEN NULL ELSE
             jsonb_build_object('id', g.id, 'name', g.name, 'locale', coalesce(g.locale, pr.locale),
                                'phone_encrypted', g.phone_encrypted) END,
           'property', jsonb_build_object('id', pr.id, 'external_id', pr.external_id, 'name', pr.name,
                                          'timezone', pr.timezone, 'locale', pr.locale),
           -- Meta names languages pt_PT, en, pt_BR, es: the locale with an underscore.
           'template', jsonb_build_object('name', pr.whatsapp_templates ->> v_kind, 'language', replace(coalesce(g.locale, pr.locale), '-', '_')),
           'fallback_message', pr.fallback_messages ->> v_kind),
         g.id
    INTO v_message, v_guest_id
    FROM bookings b
    JOIN locations pr ON pr.id = b.property_id
    LEFT JOIN guests g ON g.id = b.guest_id
   WHERE b.id = p_event.entity_id;

  IF v_guest_id IS NOT NULL THEN
    INSERT INTO guest_audit_log (guest_id, action, fields, actor, context)
    VALUES (v_guest_id, 'read', ARRAY['locale', 'name', 'phone_encrypted'],
            CASE WHEN p_preview THEN 'outbox-preview' ELSE 'outbox:' || coalesce(p_event.locked_by, 'unknown') END,
            jsonb_build_object('event_id', p_event.id, 'event_type', p_event.event_type));
  END IF;
  RETURN v_message;
END
$$;
SELECT barnum_secure_function('barnum_booking_message(whatsapp_events, boolean)');

ALTER FUNCTION barnum_event_message(whatsapp_events, boolean) RENAME TO barnum_event_message_clinic;
CREATE FUNCTION barnum_event_message(p_event whatsapp_events, p_preview boolean DEFAULT false) RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
  SELECT barnum_event_message_clinic(p_event, p_preview)
         || CASE WHEN p_event.entity_type = 'booking'
                 THEN jsonb_strip_nulls(jsonb_build_object('booking', barnum_booking_message(p_event, p_preview)))
                 ELSE '{}'::jsonb END
$$;
SELECT barnum_secure_function('barnum_event_message(whatsapp_events, boolean)');
