-- The appointment a transition applies to, its business row locked until the transaction ends
-- (the contract view is lockable: docs/database.md).
SELECT a.id, a.patient_id, a.status, to_char(a.starts_at AT TIME ZONE barnum.location_timezone(a.location_id), 'YYYY-MM-DD') AS date,
       to_char(a.starts_at AT TIME ZONE barnum.location_timezone(a.location_id), 'HH24:MI') AS time, a.starts_at
  FROM barnum.appointments a
 WHERE a.id = $1
   FOR UPDATE OF a
