-- Opts guest $1 out of WhatsApp messages ($2 = true, e.g. they answered STOP) or back in.
UPDATE barnum.guests g
   SET whatsapp_opted_out_at = CASE WHEN $2 THEN coalesce(g.whatsapp_opted_out_at, now()) END
 WHERE g.id = $1
RETURNING g.id, g.name, g.whatsapp_opted_out_at
