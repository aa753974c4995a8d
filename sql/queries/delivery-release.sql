-- Forgets a claim whose processing failed, so the sender's retry is processed afresh.
DELETE FROM barnum.barnum_webhook_deliveries WHERE scope = $1 AND delivery_id = $2 AND status = 'processing'
