-- The token behind a link, read only (GET and HEAD must change nothing).
SELECT t.action_type, t.appointment_id, t.used_at IS NOT NULL AS used, t.expires_at <= now() AS expired
  FROM whatsapp_action_tokens t
 WHERE t.token_hash = barnum_token_hash($1)
