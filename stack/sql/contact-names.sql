-- The patients' names for these WhatsApp numbers ($1: digits without the "+"), for the sandbox's phone pages.
SELECT DISTINCT ON (wa_id) wa_id, name
FROM (SELECT ltrim(phone, '+') AS wa_id, name FROM barnum.patients WHERE phone IS NOT NULL) contacts
WHERE wa_id = ANY($1::text[])
ORDER BY wa_id, name
