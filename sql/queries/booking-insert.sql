-- A booking seen for the first time, in status $5 as of $6. No row: another transaction created
-- it meanwhile (the caller locks that one instead).
INSERT INTO barnum.bookings (property_id, platform, external_id, guest_id, status, status_changed_at, last_activity_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)
ON CONFLICT ON CONSTRAINT bookings_platform_reference_unique DO NOTHING
RETURNING id, guest_id, status, status_changed_at, last_activity_at,
          to_char(check_in, 'YYYY-MM-DD') AS check_in, to_char(check_out, 'YYYY-MM-DD') AS check_out
