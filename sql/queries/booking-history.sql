SELECT h.from_status, h.to_status, h.occurred_at, h.changed_at, h.db_role, h.actor
  FROM barnum.booking_status_history h
 WHERE h.booking_id = $1
 ORDER BY h.id
