-- An appointment by the source system's key ($1 source, $2 external id). The start is an instant
-- ($7), placed on the wall clock of its location ($6; the business's timezone without one), or a
-- wall-clock date and time ($8, $9). Written only when something differs, so a repeat fires no
-- trigger and plans nothing; a change fires barnum_appointment_events exactly as a direct UPDATE
-- does (a move supersedes the reminders, a cancellation cancels them).
-- A status of 'scheduled' at the same date and time keeps a pre-confirmation or confirmation the
-- patient gave through Barnum: the source does not know about it. At a new time it applies (the
-- new slot needs confirming, as Barnum's own reschedule does).
WITH given AS (
  SELECT $1::text AS source, $2::text AS external_id, $3::uuid AS patient_id, $4::uuid AS professional_id,
         $5::uuid AS specialty_id, $6::uuid AS location_id,
         coalesce(($7::timestamptz AT TIME ZONE barnum.location_timezone($6::uuid))::date, $8::date) AS date,
         coalesce(($7::timestamptz AT TIME ZONE barnum.location_timezone($6::uuid))::time, $9::time) AS time,
         $10::integer AS duration_minutes, $11::text AS status, $12::text AS cancellation_reason, $13::text AS notes
), written AS (
  INSERT INTO barnum_clinic.appointments AS a (source, external_id, patient_id, professional_id, specialty_id, location_id,
                                               date, time, duration_minutes, status, cancellation_reason, notes)
  SELECT g.source, g.external_id, g.patient_id, g.professional_id, g.specialty_id, g.location_id,
         g.date, g.time, g.duration_minutes, g.status, g.cancellation_reason, g.notes
    FROM given g
  ON CONFLICT (source, external_id) DO UPDATE
     SET patient_id = EXCLUDED.patient_id, professional_id = EXCLUDED.professional_id,
         specialty_id = EXCLUDED.specialty_id, location_id = EXCLUDED.location_id,
         date = EXCLUDED.date, time = EXCLUDED.time, duration_minutes = EXCLUDED.duration_minutes,
         status = CASE WHEN EXCLUDED.status = 'scheduled' AND a.status IN ('pre_confirmed', 'confirmed')
                        AND (a.date, a.time) = (EXCLUDED.date, EXCLUDED.time)
                       THEN a.status ELSE EXCLUDED.status END,
         cancellation_reason = EXCLUDED.cancellation_reason, notes = EXCLUDED.notes
   WHERE (a.patient_id, a.professional_id, a.specialty_id, a.location_id, a.date, a.time, a.duration_minutes,
          a.cancellation_reason, a.notes)
         IS DISTINCT FROM
         (EXCLUDED.patient_id, EXCLUDED.professional_id, EXCLUDED.specialty_id, EXCLUDED.location_id, EXCLUDED.date,
          EXCLUDED.time, EXCLUDED.duration_minutes, EXCLUDED.cancellation_reason, EXCLUDED.notes)
      OR (a.status IS DISTINCT FROM EXCLUDED.status
          AND NOT (EXCLUDED.status = 'scheduled' AND a.status IN ('pre_confirmed', 'confirmed')))
  RETURNING a.id, CASE WHEN a.xmax = 0 THEN 'created' ELSE 'updated' END AS outcome, a.status, a.starts_at
)
SELECT w.id, w.outcome, w.status, w.starts_at FROM written w
UNION ALL
SELECT a.id, 'unchanged', a.status, a.starts_at FROM barnum_clinic.appointments a
 WHERE a.source = $1::text AND a.external_id = $2::text AND NOT EXISTS (SELECT 1 FROM written)
