-- The open items of a digest's scope (location $1, NULL: those without one), marked told.
UPDATE barnum.attention_items i
   SET notified_at = coalesce(i.notified_at, now()), notice_lease_until = NULL
 WHERE i.handled_at IS NULL AND i.location_id IS NOT DISTINCT FROM $1::uuid
RETURNING i.id, i.created_at
