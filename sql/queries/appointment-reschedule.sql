-- A new wall-clock date and time in the business's timezone, through the contract; the
-- appointment needs confirming again.
SELECT * FROM barnum.barnum_reschedule_appointment($1::uuid, barnum.local_instant($2::date, $3::time))
