-- Booking $1's reminders for the guest's latest activity that were not cancelled or skipped:
-- what went out, or is about to.
SELECT e.id, (e.payload ->> 'number')::integer AS number, e.payload ->> 'trigger' AS trigger, e.status, e.scheduled_for
  FROM barnum.bookings b
  JOIN barnum.whatsapp_events e ON e.entity_type = 'booking' AND e.entity_id = b.id AND e.event_type = 'booking.reminder'
 WHERE b.id = $1
   AND (e.payload ->> 'activity_at')::timestamptz = b.last_activity_at
   AND e.status NOT IN ('cancelled', 'skipped')
 ORDER BY e.created_at
