-- A worked example (docs/calcom.md): Barnum attached to Cal.com's own PostgreSQL tables, as
-- Cal.com's Prisma schema creates them: "Booking", "Attendee", users and "EventType", with quoted
-- camelCase names, integer ids and the "BookingStatus" enum. Apply it with
--   barnum migrate --contract sql/contracts/examples/calcom.sql
--
-- The mapping:
--   appointment  = a "Booking"; its id is barnum.uuid_from_bigint("Booking".id)
--   patient      = the booking's first "Attendee" (name, "phoneNumber", email, locale)
--   professional = the booking's user; specialty = its event type (title)
--   starts_at    = "startTime", which Cal.com keeps in UTC in a timestamp(3) without time zone
--   status       = cancelled or rejected -> cancelled; an attendee marked "noShow" -> no_show;
--                  confirmed by the patient through Barnum (metadata.barnumConfirmedAt) -> confirmed;
--                  accepted, pending or awaiting the host -> scheduled.
-- Cal.com has no "completed" status, so no review request is planned from it.

-- Barnum looks bookings and attendees up by their uuid: these make that an index scan.
CREATE INDEX IF NOT EXISTS barnum_booking_uuid ON public."Booking" (barnum.uuid_from_bigint(id));
CREATE INDEX IF NOT EXISTS barnum_attendee_uuid ON public."Attendee" (barnum.uuid_from_bigint(id));

CREATE OR REPLACE VIEW barnum.specialties AS
SELECT barnum.uuid_from_bigint(e.id) AS id, e.title AS name FROM public."EventType" e;

CREATE OR REPLACE VIEW barnum.professionals AS
SELECT barnum.uuid_from_bigint(u.id) AS id, coalesce(u.name, u.username, u.email) AS name, NULL::uuid AS specialty_id
  FROM public.users u;

CREATE OR REPLACE VIEW barnum.patients AS
SELECT barnum.uuid_from_bigint(a.id) AS id, a.name, a."phoneNumber" AS phone, a.email,
       CASE a.locale WHEN 'pt' THEN 'pt-PT' WHEN 'pt-BR' THEN 'pt-BR' WHEN 'en' THEN 'en' WHEN 'es' THEN 'es' END AS locale
  FROM public."Attendee" a;

CREATE OR REPLACE VIEW barnum.appointments AS
SELECT barnum.uuid_from_bigint(b.id) AS id,
       barnum.uuid_from_bigint((SELECT min(a.id) FROM public."Attendee" a WHERE a."bookingId" = b.id)) AS patient_id,
       barnum.uuid_from_bigint(b."userId") AS professional_id,
       barnum.uuid_from_bigint(b."eventTypeId") AS specialty_id,
       b."startTime" AT TIME ZONE 'UTC' AS starts_at,
       (extract(epoch FROM b."endTime" - b."startTime") / 60)::integer AS duration_minutes,
       CASE WHEN b.status IN ('cancelled', 'rejected') THEN 'cancelled'
            WHEN EXISTS (SELECT 1 FROM public."Attendee" a WHERE a."bookingId" = b.id AND a."noShow") THEN 'no_show'
            WHEN b.metadata ? 'barnumConfirmedAt' THEN 'confirmed'
            ELSE 'scheduled'
       END AS status,
       NULL::uuid AS location_id
  FROM public."Booking" b;

CREATE OR REPLACE FUNCTION barnum.contract_set_status(p_appointment_id uuid, p_status text, p_reason text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_id integer := barnum.bigint_from_uuid(p_appointment_id);
BEGIN
  CASE p_status
    WHEN 'confirmed' THEN
      UPDATE public."Booking" b
         SET metadata = coalesce(b.metadata, '{}'::jsonb) || jsonb_build_object('barnumConfirmedAt', now()), "updatedAt" = now()
       WHERE b.id = v_id;
    WHEN 'cancelled' THEN
      UPDATE public."Booking" b
         SET status = 'cancelled', "cancellationReason" = coalesce(p_reason, b."cancellationReason"), "cancelledBy" = 'barnum',
             "updatedAt" = now()
       WHERE b.id = v_id;
    WHEN 'no_show' THEN
      UPDATE public."Attendee" a SET "noShow" = true WHERE a."bookingId" = v_id;
    ELSE
      RAISE EXCEPTION 'Cal.com has no status for "%"', p_status USING ERRCODE = 'feature_not_supported';
  END CASE;
END
$$;

-- A move keeps the booking's length; the patient confirms the new time again.
CREATE OR REPLACE FUNCTION barnum.contract_reschedule(p_appointment_id uuid, p_starts_at timestamptz) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, public
AS $$
  UPDATE public."Booking" b
     SET "startTime" = p_starts_at AT TIME ZONE 'UTC',
         "endTime" = (p_starts_at AT TIME ZONE 'UTC') + (b."endTime" - b."startTime"),
         metadata = coalesce(b.metadata, '{}'::jsonb) - 'barnumConfirmedAt', rescheduled = true, "updatedAt" = now()
   WHERE b.id = barnum.bigint_from_uuid(p_appointment_id)
$$;

-- A booking changes in "Booking", and is marked a no-show in "Attendee": both are attached, the
-- second by the booking it belongs to.
SELECT barnum.attach_appointments('public."Booking"', 'id', 'bigint');
SELECT barnum.attach_appointments('public."Attendee"', 'bookingId', 'bigint');
