-- Claims delivery $2 in scope $1. Returns claimed = true for the first caller; a repeat gets
-- claimed = false with the stored answer (or status 'processing' while the first is still working).
WITH inserted AS (
  INSERT INTO barnum.barnum_webhook_deliveries (scope, delivery_id) VALUES ($1, $2)
  ON CONFLICT (scope, delivery_id) DO NOTHING
  RETURNING true AS claimed
)
SELECT true AS claimed, 'processing' AS status, NULL::integer AS response_status, NULL::jsonb AS response_body
  FROM inserted
UNION ALL
SELECT false, d.status, d.response_status, d.response_body
  FROM barnum.barnum_webhook_deliveries d
 WHERE d.scope = $1 AND d.delivery_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)
