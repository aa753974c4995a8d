-- The patient with phone $1 and the appointment a message from them most likely concerns: the
-- next one (from a day ago on), else the latest.
SELECT p.id AS patient_id,
       (SELECT a.id FROM barnum.appointments a
         WHERE a.patient_id = p.id
         ORDER BY a.starts_at >= now() - interval '1 day' DESC,
                  CASE WHEN a.starts_at >= now() - interval '1 day' THEN a.starts_at END ASC,
                  a.starts_at DESC
         LIMIT 1) AS appointment_id
  FROM barnum.patients p
 WHERE p.phone = $1
 LIMIT 1
