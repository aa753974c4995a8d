-- The item a "handled" link ($1, the token as sent) is for, and whether the link has expired.
SELECT k.item_id, k.expires_at < now() AS expired
  FROM barnum.attention_links k
 WHERE k.token_hash = barnum.barnum_token_hash($1)
