-- Barnum 015: the rest of a guest's stay — a pre-arrival message some days before check-in, a
-- check-out message on the morning of departure, and a corrected confirmation when the dates
-- change (docs/resort.md, "Stay messages").

-- When each goes out, on the property's wall clock. pre_arrival_days = 0 turns the pre-arrival
-- message off; a booking made closer to check-in than that gets none (it would arrive with the
-- confirmation).
ALTER TABLE locations
  ADD COLUMN pre_arrival_days integer NOT NULL DEFAULT 2
    CONSTRAINT locations_pre_arrival_days_range CHECK (pre_arrival_days BETWEEN 0 AND 60),
  ADD COLUMN pre_arrival_time time NOT NULL DEFAULT '10:00',
  ADD COLUMN check_out_message_time time NOT NULL DEFAULT '08:30';

-- The new messages' templates and fallback texts, added under what an operator already chose.
ALTER TABLE locations
  ALTER COLUMN whatsapp_templates SET DEFAULT jsonb_build_object(
    'reminder_1', 'barnum_booking_reminder',
    'reminder_2', 'barnum_booking_reminder',
    'confirmation', 'barnum_reservation_confirmation',
    'review_request', 'barnum_post_stay_review',
    'pre_arrival', 'barnum_pre_arrival',
    'check_out', 'barnum_check_out',
    'modification', 'barnum_booking_modified'),
  ALTER COLUMN fallback_messages SET DEFAULT jsonb_build_object(
    'reminder_1', 'Hi {{guest_name}}, your stay at {{property_name}} is still waiting for you. You can finish your booking here: {{resume_url}}',
    'reminder_2', 'Hi {{guest_name}}, the dates you chose at {{property_name}} may not stay free for long. Your booking: {{resume_url}}',
    'confirmation', 'Hi {{guest_name}}, your reservation at {{property_name}} is confirmed: {{check_in}} to {{check_out}} (reference {{booking_reference}}).',
    'review_request', 'Thank you for staying at {{property_name}}, {{guest_name}}! How was your stay? We would love to read your review.',
    'pre_arrival', 'Hi {{guest_name}}, we look forward to welcoming you at {{property_name}} on {{check_in}}. Reply to this message if you need anything before you arrive.',
    'check_out', 'Hi {{guest_name}}, today is your check-out day at {{property_name}}. Thank you for staying with us and safe travels!',
    'modification', 'Hi {{guest_name}}, your reservation at {{property_name}} has changed: {{check_in}} to {{check_out}} (reference {{booking_reference}}).');

UPDATE locations SET
  whatsapp_templates = jsonb_build_object(
    'pre_arrival', 'barnum_pre_arrival', 'check_out', 'barnum_check_out', 'modification', 'barnum_booking_modified') || whatsapp_templates,
  fallback_messages = jsonb_build_object(
    'pre_arrival', 'Hi {{guest_name}}, we look forward to welcoming you at {{property_name}} on {{check_in}}. Reply to this message if you need anything before you arrive.',
    'check_out', 'Hi {{guest_name}}, today is your check-out day at {{property_name}}. Thank you for staying with us and safe travels!',
    'modification', 'Hi {{guest_name}}, your reservation at {{property_name}} has changed: {{check_in}} to {{check_out}} (reference {{booking_reference}}).') || fallback_messages;

-- 007's re-check, with the stay messages: the pre-arrival message only to a guest still expected,
-- the check-out message only during the stay (or before it, for a guest not marked in), the
-- corrected confirmation only for a stay that still stands. booking.details_needed (a workflow
-- reading the reservation from the platform's API) is for a booking without a guest: it goes to
-- no one, so only a cancelled or vanished booking stops it.
CREATE OR REPLACE FUNCTION barnum_booking_skip_reason(p_event whatsapp_events) RETURNS text
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
  IF p_event.event_type = 'booking.details_needed' THEN
    RETURN CASE WHEN v_booking.status = 'cancelled' THEN 'stay cancelled' END;
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
    WHEN 'booking.pre_arrival' THEN
      IF v_booking.status <> 'confirmed' THEN
        RETURN CASE WHEN v_booking.status IN ('checked_in', 'checked_out') THEN 'guest already arrived'
                    ELSE 'booking no longer confirmed (' || replace(v_booking.status, '_', '-') || ')' END;
      END IF;
    WHEN 'booking.check_out' THEN
      IF v_booking.status NOT IN ('confirmed', 'checked_in') THEN
        RETURN CASE WHEN v_booking.status = 'checked_out' THEN 'guest already checked-out'
                    ELSE 'booking no longer confirmed (' || replace(v_booking.status, '_', '-') || ')' END;
      END IF;
    WHEN 'booking.modification' THEN
      IF v_booking.status NOT IN ('confirmed', 'checked_in') THEN
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
