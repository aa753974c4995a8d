SELECT count(*)::int AS issued,
       count(*) FILTER (WHERE used_at IS NOT NULL)::int AS used,
       count(*) FILTER (WHERE used_at IS NULL AND expires_at <= now())::int AS expired
  FROM barnum.whatsapp_action_tokens
