-- Records status $2 of message $1 at $3, moving forward only (barnum_delivery_rank). Returns
-- the status now recorded and whether this report changed it.
WITH upsert AS (
  INSERT INTO barnum.whatsapp_messages AS m (wamid, status, status_at, error_code, error_title,
                                      sent_at, delivered_at, read_at, failed_at)
  VALUES ($1::text, $2::text, $3::timestamptz, $4::integer, $5::text,
          CASE WHEN $2::text = 'sent' THEN $3::timestamptz END, CASE WHEN $2::text = 'delivered' THEN $3::timestamptz END,
          CASE WHEN $2::text = 'read' THEN $3::timestamptz END, CASE WHEN $2::text = 'failed' THEN $3::timestamptz END)
  ON CONFLICT (wamid) DO UPDATE
     SET status = CASE WHEN barnum.barnum_delivery_rank(EXCLUDED.status) > barnum.barnum_delivery_rank(m.status) THEN EXCLUDED.status ELSE m.status END,
         status_at = CASE WHEN barnum.barnum_delivery_rank(EXCLUDED.status) > barnum.barnum_delivery_rank(m.status) THEN EXCLUDED.status_at ELSE m.status_at END,
         error_code = coalesce(EXCLUDED.error_code, m.error_code),
         error_title = coalesce(EXCLUDED.error_title, m.error_title),
         sent_at = coalesce(m.sent_at, EXCLUDED.sent_at),
         delivered_at = coalesce(m.delivered_at, EXCLUDED.delivered_at),
         read_at = coalesce(m.read_at, EXCLUDED.read_at),
         failed_at = coalesce(m.failed_at, EXCLUDED.failed_at)
  RETURNING m.wamid, m.status, m.event_id, (xmax = 0) AS inserted
)
SELECT wamid, status, event_id, status = $2::text AS applied FROM upsert
