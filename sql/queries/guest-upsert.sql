-- A guest with a valid number ($2 ciphertext, $3 blind index): created, or — when another
-- transaction just created them — found by the index. Name and locale are updated when given.
INSERT INTO barnum.guests (name, phone_encrypted, phone_blind_index, phone_status, locale)
VALUES ($1, $2, $3, 'valid', $4)
ON CONFLICT (phone_blind_index) WHERE phone_blind_index IS NOT NULL
DO UPDATE SET name = coalesce(EXCLUDED.name, guests.name), locale = coalesce(EXCLUDED.locale, guests.locale)
RETURNING id, name, locale, phone_status, whatsapp_opted_out_at, true AS current_index
