-- The team was told about items $1: they leave the notifier's queue (digests still list them
-- until they are handled).
UPDATE barnum.attention_items i
   SET notified_at = coalesce(i.notified_at, now()), notice_lease_until = NULL
 WHERE i.id = ANY ($1::uuid[])
RETURNING i.id
