-- A professional by the source system's key ($1 source, $2 external id); $4 specialty: NULL keeps
-- the one it has. Written only when something differs.
WITH written AS (
  INSERT INTO barnum_clinic.professionals AS p (source, external_id, name, specialty_id)
  VALUES ($1::text, $2::text, $3::text, $4::uuid)
  ON CONFLICT (source, external_id) DO UPDATE
     SET name = EXCLUDED.name, specialty_id = coalesce(EXCLUDED.specialty_id, p.specialty_id)
   WHERE (p.name, p.specialty_id) IS DISTINCT FROM (EXCLUDED.name, coalesce(EXCLUDED.specialty_id, p.specialty_id))
  RETURNING p.id, CASE WHEN p.xmax = 0 THEN 'created' ELSE 'updated' END AS outcome
)
SELECT w.id, w.outcome FROM written w
UNION ALL
SELECT p.id, 'unchanged' FROM barnum_clinic.professionals p
 WHERE p.source = $1::text AND p.external_id = $2::text AND NOT EXISTS (SELECT 1 FROM written)
