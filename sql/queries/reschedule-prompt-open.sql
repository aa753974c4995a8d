-- The most recent reschedule prompt still waiting for an answer from the patient with phone $1:
-- a free-text "yes" on WhatsApp answers it.
SELECT w.appointment_id
  FROM barnum.whatsapp_workflows w
  JOIN barnum.patients p ON p.id = w.patient_id
 WHERE p.phone = $1 AND w.workflow_type = 'reschedule_prompt' AND w.status IN ('pending', 'sent')
 ORDER BY w.created_at DESC
 LIMIT 1
