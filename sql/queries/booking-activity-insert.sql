-- What one platform event did to booking $1 (the actor is the transaction's, see booking-set-actor).
INSERT INTO barnum.booking_activities (booking_id, event_type, platform_event_id, occurred_at, outcome, note, actor)
VALUES ($1, $2, $3, $4, $5, $6, barnum.barnum_actor())
