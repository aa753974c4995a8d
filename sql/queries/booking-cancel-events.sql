-- Cancels booking $1's pending messages of types $2 (all when NULL) with reason $3.
SELECT barnum.barnum_cancel_booking_events($1, $2::text[], $3) AS cancelled
