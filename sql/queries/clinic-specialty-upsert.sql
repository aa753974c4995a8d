-- A specialty by the source system's key ($1 source, $2 external id). Written only when something
-- differs, so a repeat writes nothing; outcome is created, updated or unchanged.
WITH written AS (
  INSERT INTO barnum_clinic.specialties AS s (source, external_id, name)
  VALUES ($1::text, $2::text, $3::text)
  ON CONFLICT (source, external_id) DO UPDATE SET name = EXCLUDED.name
   WHERE s.name IS DISTINCT FROM EXCLUDED.name
  RETURNING s.id, CASE WHEN s.xmax = 0 THEN 'created' ELSE 'updated' END AS outcome
)
SELECT w.id, w.outcome FROM written w
UNION ALL
SELECT s.id, 'unchanged' FROM barnum_clinic.specialties s
 WHERE s.source = $1::text AND s.external_id = $2::text AND NOT EXISTS (SELECT 1 FROM written)
