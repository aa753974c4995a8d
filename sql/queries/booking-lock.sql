-- The booking platform $2 calls $3 at property $1, locked until the transaction ends: every event
-- about one booking is applied one at a time.
SELECT b.id, b.guest_id, b.status, b.status_changed_at, b.last_activity_at,
       to_char(b.check_in, 'YYYY-MM-DD') AS check_in, to_char(b.check_out, 'YYYY-MM-DD') AS check_out
  FROM barnum.bookings b
 WHERE b.property_id = $1 AND b.platform = $2 AND b.external_id = $3
   FOR UPDATE
