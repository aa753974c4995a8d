-- Queues message $2 about booking $1 (see barnum_booking_enqueue) at the time plan $4 gives from
-- instant $3 (NULL: the transaction's now): 'at' ($3 itself), 'abandonment_check' and 'reminder_2'
-- ($3 plus the property's delay), 'review' (the check-out date at the property's check-out time
-- plus its review delay, on its wall clock). $5 payload, $6 once only, $7 respect quiet hours.
-- A NULL event_id: it was queued already (once only).
SELECT e.event_id, e.scheduled_for
  FROM barnum.bookings b
  JOIN barnum.locations p ON p.id = b.property_id,
       LATERAL barnum.barnum_booking_enqueue(
         b.id, $2,
         CASE $4::text
           WHEN 'abandonment_check' THEN coalesce($3::timestamptz, now()) + p.abandonment_delay
           WHEN 'reminder_2' THEN coalesce($3::timestamptz, now()) + p.reminder_2_delay
           WHEN 'review' THEN barnum.barnum_property_wall_clock(p.id, b.check_out, p.check_out_time, p.review_delay)
           ELSE coalesce($3::timestamptz, now())
         END,
         $5::jsonb, $6::boolean, $7::boolean) e
 WHERE b.id = $1
