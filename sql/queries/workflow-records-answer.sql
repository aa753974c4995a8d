-- Records a patient's answer on an appointment's open conversation records of the given types
-- ($2), as the seed's /api/webhook and /api/action do: status $3, response $4, and any of attempt
-- ($5), review_submitted ($6), rating ($7) that are given; metadata $8 is merged in.
UPDATE barnum.whatsapp_workflows w
   SET status = $3,
       response = coalesce($4, w.response),
       attempt = coalesce($5, w.attempt),
       review_submitted = coalesce($6, w.review_submitted),
       rating = coalesce($7, w.rating),
       metadata = w.metadata || coalesce($8::jsonb, '{}'::jsonb),
       completed_at = CASE WHEN $3 = 'completed' THEN now() ELSE w.completed_at END
 WHERE w.appointment_id = $1
   AND w.workflow_type = ANY ($2::text[])
   AND w.status IN ('pending', 'sent', 'completed')
RETURNING w.id, w.workflow_type, w.status, w.response, w.attempt, w.review_submitted, w.rating
