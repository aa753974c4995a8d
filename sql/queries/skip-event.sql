-- Skips a pending or leased event with a reason; its conversation record is marked skipped too.
WITH skipped AS (
  UPDATE barnum.whatsapp_events e
     SET status = 'skipped', status_reason = $2, locked_until = NULL, locked_by = NULL, processed_at = now()
   WHERE e.id = $1 AND e.status IN ('pending', 'processing')
  RETURNING e.id, e.workflow_id, e.status
),
records AS (
  UPDATE barnum.whatsapp_workflows w SET status = 'skipped', response = coalesce(w.response, $2)
    FROM skipped s WHERE w.id = s.workflow_id AND w.status = 'pending'
  RETURNING 1
)
SELECT id, status FROM skipped
