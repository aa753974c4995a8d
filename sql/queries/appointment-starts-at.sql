-- The instant a wall-clock date and time in the clinic's timezone stands for.
SELECT ($1::date + $2::time) AT TIME ZONE s.timezone AS starts_at FROM barnum.barnum_settings s
