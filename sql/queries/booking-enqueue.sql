-- Queues message $2 about booking $1 (see barnum_booking_enqueue) at the time plan $4 gives from
-- instant $3 (NULL: the transaction's now): 'at' ($3 itself), 'abandonment_check' and 'reminder_2'
-- ($3 plus the property's delay), 'review' (the check-out date at the property's check-out time
-- plus its review delay, on its wall clock), 'review_after' ($3 plus the review delay),
-- 'pre_arrival' (pre_arrival_days before the check-in date at pre_arrival_time) and 'check_out'
-- (the check-out date at check_out_message_time). The last two are queued only while still ahead
-- (and pre_arrival only when the property has it on), and carry the property's check-in or
-- check-out time for the message. $5 payload, $6 once only, $7 respect quiet hours.
-- A NULL event_id: it was queued already (once only); no row: its time has passed.
WITH planned AS MATERIALIZED (
  SELECT b.id,
         CASE $4::text
           WHEN 'abandonment_check' THEN coalesce($3::timestamptz, now()) + p.abandonment_delay
           WHEN 'reminder_2' THEN coalesce($3::timestamptz, now()) + p.reminder_2_delay
           WHEN 'review' THEN barnum.barnum_property_wall_clock(p.id, b.check_out, p.check_out_time, p.review_delay)
           WHEN 'review_after' THEN coalesce($3::timestamptz, now()) + p.review_delay
           WHEN 'pre_arrival' THEN barnum.barnum_property_wall_clock(p.id, b.check_in - p.pre_arrival_days, p.pre_arrival_time)
           WHEN 'check_out' THEN barnum.barnum_property_wall_clock(p.id, b.check_out, p.check_out_message_time)
           ELSE coalesce($3::timestamptz, now())
         END AS at,
         CASE $4::text
           WHEN 'pre_arrival' THEN jsonb_build_object('check_in_time', to_char(p.check_in_time, 'HH24:MI'))
           WHEN 'check_out' THEN jsonb_build_object('check_out_time', to_char(p.check_out_time, 'HH24:MI'))
           ELSE '{}'::jsonb
         END AS extra
    FROM barnum.bookings b
    JOIN barnum.locations p ON p.id = b.property_id
   WHERE b.id = $1
     AND ($4::text <> 'pre_arrival' OR p.pre_arrival_days > 0)
)
SELECT e.event_id, e.scheduled_for
  FROM planned,
       LATERAL barnum.barnum_booking_enqueue(planned.id, $2, planned.at, $5::jsonb || planned.extra, $6::boolean, $7::boolean) e
 WHERE $4::text NOT IN ('pre_arrival', 'check_out') OR planned.at > now()
