-- The digests due now: one per scope told by digest (a location, or the business-wide settings
-- for items without one) whose hour ($1: this hour or later today, in the scope's timezone) has
-- come and that has not had today's, where the team has a channel. Claiming records it, so each
-- goes out once a day.
WITH scopes AS (
  SELECT NULL::uuid AS location_id, '' AS scope, s.timezone, s.team_notice_mode AS mode, s.team_digest_hour AS hour,
         coalesce(s.team_email, s.team_chat_webhook_url, s.team_whatsapp) IS NOT NULL AS reachable
    FROM barnum.barnum_settings s
  UNION ALL
  SELECT l.id, l.id::text, l.timezone, coalesce(l.team_notice_mode, s.team_notice_mode), coalesce(l.team_digest_hour, s.team_digest_hour),
         coalesce(l.team_email, s.team_email, l.team_chat_webhook_url, s.team_chat_webhook_url, l.team_whatsapp, s.team_whatsapp) IS NOT NULL
    FROM barnum.locations l CROSS JOIN barnum.barnum_settings s
), due AS (
  SELECT sc.location_id, sc.scope, (now() AT TIME ZONE sc.timezone)::date AS local_date,
         (SELECT count(*) FROM barnum.attention_items i
           WHERE i.handled_at IS NULL AND i.location_id IS NOT DISTINCT FROM sc.location_id)::integer AS open
    FROM scopes sc
   WHERE sc.mode = 'digest' AND sc.reachable AND extract(hour FROM now() AT TIME ZONE sc.timezone) >= sc.hour
), claimed AS (
  INSERT INTO barnum.attention_digests (scope, local_date, items)
  SELECT d.scope, d.local_date, d.open FROM due d
  ON CONFLICT DO NOTHING
  RETURNING scope
)
SELECT d.location_id, d.local_date, d.open
  FROM due d JOIN claimed c ON c.scope = d.scope
 WHERE d.open > 0
