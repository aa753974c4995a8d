-- A reschedule request for appointment $1 that has no conversation record to record it on (its
-- messages were all skipped, cancelled or failed, or none was ever sent: the link was created by
-- hand): a record of its own, for the clinic to call back. Response $2; metadata $3 (the
-- patient's preferred time).
INSERT INTO barnum.whatsapp_workflows (workflow_type, appointment_id, patient_id, status, response, metadata, completed_at)
SELECT 'reschedule_request', a.id, a.patient_id, 'completed', $2, coalesce($3::jsonb, '{}'::jsonb), now()
  FROM barnum.appointments a
 WHERE a.id = $1
RETURNING id, workflow_type, status, response, attempt, review_submitted, rating
