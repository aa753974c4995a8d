-- The instant a wall-clock date and time in the business's timezone stands for.
SELECT barnum.local_instant($1::date, $2::time) AS starts_at
