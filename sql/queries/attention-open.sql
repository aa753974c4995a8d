-- Open items (not yet handled), oldest first: all of them, or location $1's; at most $2.
SELECT i.id
  FROM barnum.attention_items i
 WHERE i.handled_at IS NULL AND ($1::uuid IS NULL OR i.location_id = $1::uuid)
 ORDER BY i.created_at
 LIMIT $2
