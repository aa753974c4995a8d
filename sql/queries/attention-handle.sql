-- Marks item $1 handled by $2 through $3 ('link' or 'n8n'), once: a repeat returns no row.
UPDATE barnum.attention_items i
   SET handled_at = now(), handled_by = $2, handled_via = $3, notice_lease_until = NULL
 WHERE i.id = $1::uuid AND i.handled_at IS NULL
RETURNING i.id
