-- Opts a patient out of WhatsApp messages ($2 = true) or back in, by id ($1) or E.164 phone ($3).
-- The choice is Barnum's own record (barnum.contact_preferences), beside the business's patients.
WITH chosen AS (
  SELECT p.id, p.name FROM barnum.patients p
   WHERE ($1::uuid IS NOT NULL AND p.id = $1::uuid) OR ($1::uuid IS NULL AND p.phone = $3)
), recorded AS (
  INSERT INTO barnum.contact_preferences AS c (patient_id, whatsapp_opted_out_at)
  SELECT ch.id, CASE WHEN $2 THEN now() END FROM chosen ch
  ON CONFLICT (patient_id) DO UPDATE
     SET whatsapp_opted_out_at = CASE WHEN $2 THEN coalesce(c.whatsapp_opted_out_at, now()) END, updated_at = now()
  RETURNING c.patient_id, c.whatsapp_opted_out_at
)
SELECT ch.id, ch.name, r.whatsapp_opted_out_at FROM chosen ch JOIN recorded r ON r.patient_id = ch.id
