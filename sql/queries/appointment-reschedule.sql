-- A new wall-clock date and time in the clinic's timezone; the appointment needs confirming again.
UPDATE barnum.appointments
   SET date = $2::date, time = $3::time, status = 'scheduled'
 WHERE id = $1
RETURNING id, patient_id, status, to_char(date, 'YYYY-MM-DD') AS date, to_char(time, 'HH24:MI') AS time, starts_at
