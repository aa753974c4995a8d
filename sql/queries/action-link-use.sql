-- POST: uses up the link (true for exactly one caller; see mark_token_used).
SELECT barnum.mark_token_used($1, $2) AS used
