UPDATE barnum.barnum_webhook_deliveries
   SET status = 'done', response_status = $3, response_body = $4::jsonb, completed_at = now()
 WHERE scope = $1 AND delivery_id = $2
