-- The appointment a transition applies to, locked until the transaction ends.
SELECT a.id, a.patient_id, a.status, to_char(a.date, 'YYYY-MM-DD') AS date, to_char(a.time, 'HH24:MI') AS time, a.starts_at
  FROM barnum.appointments a
 WHERE a.id = $1
   FOR UPDATE
