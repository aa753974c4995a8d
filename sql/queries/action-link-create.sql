-- A one-click link for an appointment: a fresh token (stored hashed) on the public base URL.
SELECT rtrim(s.public_base_url, '/') || '/api/action?type=' || $1 || '&token=' || t.token AS url,
       t.token,
       (SELECT w.expires_at FROM barnum.whatsapp_action_tokens w WHERE w.token_hash = barnum.barnum_token_hash(t.token)) AS expires_at
  FROM barnum.barnum_settings s,
       LATERAL (SELECT barnum.generate_action_token($1, a.id, a.patient_id, $2::uuid, $3::jsonb, $4::integer) AS token
                  FROM barnum.appointments a WHERE a.id = $5) t
