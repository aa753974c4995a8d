-- "Try it": books the demo patient with Dra. Maria Santos in the next free half-hour between
-- 09:00 and 17:00, from the day after tomorrow on. The insert fires Barnum's appointment trigger, which
-- queues the WhatsApp pre-confirmation: that is the whole demo.
WITH taken AS (
  SELECT count(*)::int AS n
  FROM barnum_clinic.appointments
  WHERE professional_id = 'd0000000-0000-4000-8000-000000000101'
    AND date >= current_date + 2
    AND status NOT IN ('cancelled')
)
INSERT INTO barnum_clinic.appointments (patient_id, professional_id, specialty_id, date, time, notes)
SELECT 'd0000000-0000-4000-8000-000000000201',
       'd0000000-0000-4000-8000-000000000101',
       'd0000000-0000-4000-8000-000000000001',
       current_date + 2 + taken.n / 16,
       time '09:00' + (taken.n % 16) * interval '30 minutes',
       'Booked by the Barnum demo'
FROM taken
RETURNING id, date::text AS date, to_char(time, 'HH24:MI') AS time
