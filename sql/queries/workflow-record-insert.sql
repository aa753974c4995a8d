-- A conversation record that no trigger created (a reactivation campaign, a manual follow-up).
INSERT INTO barnum.whatsapp_workflows (workflow_type, appointment_id, patient_id, status, response, attempt, metadata, completed_at)
VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::jsonb, '{}'::jsonb), CASE WHEN $4 = 'completed' THEN now() END)
RETURNING id, workflow_type, status, response, attempt, patient_id, appointment_id
