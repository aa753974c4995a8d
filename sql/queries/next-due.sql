-- When the next event of the given types becomes claimable: the earliest due pending row or
-- expiring lease. NULL when there is nothing to wait for. Both halves walk a partial index.
SELECT least(
  (SELECT min(e.scheduled_for) FROM barnum.whatsapp_events e
    WHERE e.status = 'pending' AND ($1::text[] IS NULL OR e.event_type = ANY ($1::text[]))),
  (SELECT min(e.locked_until) FROM barnum.whatsapp_events e
    WHERE e.status = 'processing' AND ($1::text[] IS NULL OR e.event_type = ANY ($1::text[])))
) AS next_at
