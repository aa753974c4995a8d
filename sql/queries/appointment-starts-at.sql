-- The instant a wall-clock date and time stand for at appointment $3's location.
SELECT barnum.local_instant($1::date, $2::time, (SELECT a.location_id FROM barnum.appointments a WHERE a.id = $3::uuid)) AS starts_at
