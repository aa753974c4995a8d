-- The guest whose number has one of the blind indexes $1 (one per configured key, newest first);
-- current_index says whether it is stored under the newest key ($2).
SELECT g.id, g.name, g.locale, g.phone_status, g.whatsapp_opted_out_at, g.phone_blind_index = $2::bytea AS current_index
  FROM barnum.guests g
 WHERE g.phone_blind_index = ANY ($1::bytea[])
 LIMIT 1
