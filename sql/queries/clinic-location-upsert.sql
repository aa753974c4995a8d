-- A location (barnum.locations) by its external id ($1). Every setting left NULL keeps the value
-- the location has (a new one takes the business's timezone and language and the table's
-- defaults). Quiet hours ($5, $6) come both or neither. Written only when something differs.
WITH given AS (
  SELECT $1::text AS external_id, $2::text AS name, $3::text AS timezone, $4::text AS locale,
         $5::time AS quiet_hours_start, $6::time AS quiet_hours_end, $7::text AS public_base_url,
         $8::text AS whatsapp_phone_number_id
), written AS (
  INSERT INTO barnum.locations AS l (external_id, name, timezone, locale, quiet_hours_start, quiet_hours_end,
                                     public_base_url, whatsapp_phone_number_id)
  SELECT g.external_id, g.name, coalesce(g.timezone, s.timezone), coalesce(g.locale, s.default_locale),
         g.quiet_hours_start, g.quiet_hours_end, g.public_base_url, g.whatsapp_phone_number_id
    FROM given g CROSS JOIN barnum.barnum_settings s
  ON CONFLICT (external_id) DO UPDATE
     SET name = EXCLUDED.name,
         timezone = coalesce($3::text, l.timezone),
         locale = coalesce($4::text, l.locale),
         quiet_hours_start = CASE WHEN $5::time IS NULL THEN l.quiet_hours_start ELSE EXCLUDED.quiet_hours_start END,
         quiet_hours_end = CASE WHEN $5::time IS NULL THEN l.quiet_hours_end ELSE EXCLUDED.quiet_hours_end END,
         public_base_url = coalesce($7::text, l.public_base_url),
         whatsapp_phone_number_id = coalesce($8::text, l.whatsapp_phone_number_id)
   WHERE (l.name, l.timezone, l.locale, l.quiet_hours_start, l.quiet_hours_end, l.public_base_url, l.whatsapp_phone_number_id)
         IS DISTINCT FROM
         (EXCLUDED.name, coalesce($3::text, l.timezone), coalesce($4::text, l.locale),
          CASE WHEN $5::time IS NULL THEN l.quiet_hours_start ELSE EXCLUDED.quiet_hours_start END,
          CASE WHEN $5::time IS NULL THEN l.quiet_hours_end ELSE EXCLUDED.quiet_hours_end END,
          coalesce($7::text, l.public_base_url), coalesce($8::text, l.whatsapp_phone_number_id))
  RETURNING l.id, CASE WHEN l.xmax = 0 THEN 'created' ELSE 'updated' END AS outcome
)
SELECT w.id, w.outcome FROM written w
UNION ALL
SELECT l.id, 'unchanged' FROM barnum.locations l WHERE l.external_id = $1::text AND NOT EXISTS (SELECT 1 FROM written)
