-- A patient by the source system's key ($1 source, $2 external id). Email ($5) and locale ($6)
-- left NULL keep what the patient has: a feed that does not know them erases nothing. Written
-- only when something differs.
WITH written AS (
  INSERT INTO barnum_clinic.patients AS p (source, external_id, name, phone, email, locale)
  VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text)
  ON CONFLICT (source, external_id) DO UPDATE
     SET name = EXCLUDED.name, phone = EXCLUDED.phone,
         email = coalesce(EXCLUDED.email, p.email), locale = coalesce(EXCLUDED.locale, p.locale)
   WHERE (p.name, p.phone, p.email, p.locale)
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.phone, coalesce(EXCLUDED.email, p.email), coalesce(EXCLUDED.locale, p.locale))
  RETURNING p.id, CASE WHEN p.xmax = 0 THEN 'created' ELSE 'updated' END AS outcome
)
SELECT w.id, w.outcome FROM written w
UNION ALL
SELECT p.id, 'unchanged' FROM barnum_clinic.patients p
 WHERE p.source = $1::text AND p.external_id = $2::text AND NOT EXISTS (SELECT 1 FROM written)
