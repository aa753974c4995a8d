-- "Handled" links for items: tokens $1 (stored hashed) for items $2, pairwise, valid $3 days.
INSERT INTO barnum.attention_links (token_hash, item_id, expires_at)
SELECT barnum.barnum_token_hash(x.token), x.item_id, now() + make_interval(days => $3)
  FROM unnest($1::text[], $2::uuid[]) AS x (token, item_id)
