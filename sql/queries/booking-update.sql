-- Applies an event to booking $1: guest $2, status $3 as of $4, guest activity at $5, and the
-- reservation details it carries ($6 … $14). NULL keeps what is stored. The instant the guest is
-- expected (check-in tracking) follows the check-in date, in the property's timezone.
UPDATE barnum.bookings b
   SET guest_id = coalesce($2::uuid, b.guest_id),
       status = coalesce($3::text, b.status),
       status_changed_at = CASE WHEN $3::text IS NOT NULL AND $3::text <> b.status THEN $4::timestamptz ELSE b.status_changed_at END,
       last_activity_at = greatest(b.last_activity_at, coalesce($5::timestamptz, b.last_activity_at)),
       check_in = coalesce($6::date, b.check_in),
       check_out = coalesce($7::date, b.check_out),
       adults = coalesce($8::integer, b.adults),
       children = coalesce($9::integer, b.children),
       room_type = coalesce($10::text, b.room_type),
       total_amount = coalesce($11::numeric, b.total_amount),
       currency = coalesce($12::text, b.currency),
       resume_url = coalesce($13::text, b.resume_url),
       confirmation_code = coalesce($14::text, b.confirmation_code),
       expected_check_in_at = coalesce(barnum.barnum_property_wall_clock(p.id, coalesce($6::date, b.check_in), p.check_in_time),
                                       b.expected_check_in_at)
  FROM barnum.locations p
 WHERE b.id = $1 AND p.id = b.property_id
RETURNING b.id, b.guest_id, b.status, b.status_changed_at, b.last_activity_at,
          to_char(b.check_in, 'YYYY-MM-DD') AS check_in, to_char(b.check_out, 'YYYY-MM-DD') AS check_out
