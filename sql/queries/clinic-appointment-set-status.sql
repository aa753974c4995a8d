-- The status of an appointment found by the source system's key ($1 source, $2 external id), as a
-- direct UPDATE of the table (the trigger plans what it means). Nothing is written when it already
-- has that status; no row: no such appointment.
WITH found AS (
  SELECT a.id, a.status FROM barnum_clinic.appointments a WHERE a.source = $1::text AND a.external_id = $2::text
), written AS (
  UPDATE barnum_clinic.appointments a
     SET status = $3::text,
         cancellation_reason = CASE WHEN $3::text = 'cancelled' THEN coalesce($4::text, a.cancellation_reason) ELSE a.cancellation_reason END
    FROM found f
   WHERE a.id = f.id AND a.status IS DISTINCT FROM $3::text
  RETURNING a.id, 'updated'::text AS outcome, f.status AS previous_status, a.status, a.starts_at
)
SELECT w.id, w.outcome, w.previous_status, w.status, w.starts_at FROM written w
UNION ALL
SELECT f.id, 'unchanged', f.status, f.status, a.starts_at
  FROM found f JOIN barnum_clinic.appointments a ON a.id = f.id
 WHERE NOT EXISTS (SELECT 1 FROM written)
