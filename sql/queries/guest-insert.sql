-- A guest without a usable number: $2 is the encrypted text the platform sent when $4 is 'invalid',
-- NULL when 'missing'.
INSERT INTO barnum.guests (name, phone_encrypted, phone_status, locale)
VALUES ($1, $2, $4, $3)
RETURNING id, name, locale, phone_status, whatsapp_opted_out_at, true AS current_index
