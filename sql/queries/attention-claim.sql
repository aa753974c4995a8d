-- Up to $1 items the team has not been told about, for places that are told at once (and every
-- patient WhatsApp cannot reach), held for $2 seconds: the notifier marks them notified when
-- told; if it dies, the hold lapses and they are claimed again. Concurrent notifiers skip each other's items.
WITH due AS (
  SELECT i.id
    FROM barnum.attention_items i
    LEFT JOIN barnum.locations l ON l.id = i.location_id
    LEFT JOIN barnum.patients p ON p.id = i.patient_id
   CROSS JOIN barnum.barnum_settings s
   WHERE i.notified_at IS NULL AND i.handled_at IS NULL
     -- Nowhere to tell anyone yet: the item waits for a channel rather than being marked told.
     AND (coalesce(l.team_email, s.team_email, l.team_chat_webhook_url, s.team_chat_webhook_url, l.team_whatsapp, s.team_whatsapp) IS NOT NULL
          OR (i.kind = 'unreachable' AND p.email IS NOT NULL))
     AND (i.notice_lease_until IS NULL OR i.notice_lease_until < now())
     -- A patient WhatsApp cannot reach waits for no digest: their message goes by email now.
     AND (coalesce(l.team_notice_mode, s.team_notice_mode) = 'immediate' OR i.kind = 'unreachable')
   ORDER BY i.created_at
   LIMIT $1
     FOR UPDATE OF i SKIP LOCKED
)
UPDATE barnum.attention_items i
   SET notice_lease_until = now() + make_interval(secs => $2)
  FROM due
 WHERE i.id = due.id
RETURNING i.id, i.created_at
