-- Opts a patient out of WhatsApp messages ($2 = true) or back in, by id ($1) or E.164 phone ($3).
UPDATE barnum.patients p
   SET whatsapp_opted_out_at = CASE WHEN $2 THEN coalesce(p.whatsapp_opted_out_at, now()) END
 WHERE ($1::uuid IS NOT NULL AND p.id = $1::uuid) OR ($1::uuid IS NULL AND p.phone = $3)
RETURNING p.id, p.name, p.whatsapp_opted_out_at
