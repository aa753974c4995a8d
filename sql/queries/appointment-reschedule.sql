-- A new wall-clock date and time at the appointment's location (the business's timezone without
-- one), through the contract; the appointment needs confirming again.
SELECT * FROM barnum.barnum_reschedule_appointment($1::uuid,
  barnum.local_instant($2::date, $3::time, (SELECT a.location_id FROM barnum.appointments a WHERE a.id = $1::uuid)))
