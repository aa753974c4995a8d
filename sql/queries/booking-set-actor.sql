-- Names who acts for the rest of the transaction ('booking-webhook:cloudbeds', 'n8n:Barnum' …):
-- the guest audit log and the booking status history record it.
SELECT set_config('barnum.actor', $1, true)
