SELECT g.id, g.name, g.locale, g.phone_status, g.whatsapp_opted_out_at, true AS current_index
  FROM barnum.guests g
 WHERE g.id = $1
