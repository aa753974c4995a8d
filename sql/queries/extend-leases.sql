-- Keeps leases alive while a consumer is still working on its events (a long n8n execution).
UPDATE barnum.whatsapp_events e
   SET locked_until = now() + make_interval(secs => $3::double precision)
 WHERE e.id = ANY ($1::uuid[]) AND e.status = 'processing' AND e.locked_by = $2
RETURNING e.id
