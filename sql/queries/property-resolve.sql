-- The property the platform calls $1, created on first sight from what the event says ($2 name,
-- $3 timezone, $4 locale) and Barnum's defaults. An existing property is never reconfigured by a
-- webhook: its delays, templates and quiet hours are the operator's. No row: a concurrent first
-- sight was committed between this statement's insert and its read; run it again.
WITH created AS (
  INSERT INTO barnum.locations (external_id, name, timezone, locale)
  SELECT $1, coalesce($2, $1), coalesce($3, s.timezone), coalesce($4, s.default_locale) FROM barnum.barnum_settings s
  ON CONFLICT (external_id) DO NOTHING
  RETURNING id, name, reminder_2_enabled
)
SELECT c.id, c.name, c.reminder_2_enabled, true AS created FROM created c
UNION ALL
SELECT p.id, p.name, p.reminder_2_enabled, false FROM barnum.locations p
 WHERE p.external_id = $1 AND NOT EXISTS (SELECT 1 FROM created)
