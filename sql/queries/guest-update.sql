-- Updates guest $1: name $2 and locale $3 when given; the phone ($4 ciphertext, $5 blind index,
-- $6 status) only when $6 is given.
UPDATE barnum.guests g
   SET name = coalesce($2::text, g.name),
       locale = coalesce($3::text, g.locale),
       phone_encrypted = CASE WHEN $6::text IS NULL THEN g.phone_encrypted ELSE $4::text END,
       phone_blind_index = CASE WHEN $6::text IS NULL THEN g.phone_blind_index ELSE $5::bytea END,
       phone_status = coalesce($6::text, g.phone_status)
 WHERE g.id = $1
RETURNING id, name, locale, phone_status, whatsapp_opted_out_at, true AS current_index
