-- The phone number of appointment $1's patient (NULL when they have none; no row: no such appointment).
-- A quick reply naming the appointment must come from this number to act on it.
SELECT p.phone
  FROM barnum.appointments a
  JOIN barnum.patients p ON p.id = a.patient_id
 WHERE a.id = $1
