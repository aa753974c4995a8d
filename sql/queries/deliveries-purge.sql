-- Forgets delivery ids received more than $1 seconds ago (finished or stranded mid-processing by a
-- crash): a repeat that old is past every sender's retry schedule and signature tolerance.
DELETE FROM barnum.barnum_webhook_deliveries WHERE received_at < now() - make_interval(secs => $1::double precision)
