SELECT id, patient_id, status, to_char(date, 'YYYY-MM-DD') AS date, to_char(time, 'HH24:MI') AS time, starts_at
  FROM appointments
 WHERE id = $1
