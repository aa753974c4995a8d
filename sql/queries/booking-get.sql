-- A booking by its id ($1), or by platform $2, property $3 and the platform's reference $4, with
-- its property and guest (the phone as stored: encrypted).
SELECT b.id, b.platform, b.external_id AS reference, b.status, b.status_changed_at, b.last_activity_at,
       to_char(b.check_in, 'YYYY-MM-DD') AS check_in, to_char(b.check_out, 'YYYY-MM-DD') AS check_out,
       b.adults, b.children, b.room_type, b.total_amount::float8 AS total_amount, b.currency, b.resume_url,
       b.confirmation_code, b.expected_check_in_at, b.created_at, b.updated_at,
       p.id AS property_id, p.external_id AS property_reference, p.name AS property_name, p.timezone AS property_timezone,
       g.id AS guest_id, g.name AS guest_name, g.locale AS guest_locale, g.phone_status, g.phone_encrypted,
       g.whatsapp_opted_out_at
  FROM barnum.bookings b
  JOIN barnum.locations p ON p.id = b.property_id
  LEFT JOIN barnum.guests g ON g.id = b.guest_id
 WHERE ($1::uuid IS NOT NULL AND b.id = $1::uuid)
    OR ($1::uuid IS NULL AND b.platform = $2 AND p.external_id = $3 AND b.external_id = $4)
