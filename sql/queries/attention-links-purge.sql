-- Deletes the staff's "handled" link tokens that expired more than $1 days ago: they can never
-- work again (the items they were for keep who handled them and when).
DELETE FROM barnum.attention_links WHERE expires_at < now() - make_interval(days => $1::int)
