UPDATE barnum.appointments
   SET status = $2, cancellation_reason = CASE WHEN $2 = 'cancelled' THEN $3 ELSE cancellation_reason END
 WHERE id = $1
RETURNING id, patient_id, status, to_char(date, 'YYYY-MM-DD') AS date, to_char(time, 'HH24:MI') AS time, starts_at
