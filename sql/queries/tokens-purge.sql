-- Deletes action-link tokens that expired more than $1 days ago (used or not): they can never
-- work again, and only their hashes were ever stored.
DELETE FROM barnum.whatsapp_action_tokens WHERE expires_at < now() - make_interval(days => $1::int)
