DELETE FROM barnum_webhook_deliveries WHERE received_at < now() - make_interval(secs => $1::double precision)
