-- One patient.reactivation event per patient whose last visit was more than $1 days ago (and who
-- has nothing booked, a phone, and has not opted out), at most once per period of $2 days: the
-- dedupe key names the period, so running this daily enqueues each patient once per period.
INSERT INTO barnum.whatsapp_events (event_type, entity_type, entity_id, payload, dedupe_key, max_retries)
SELECT 'patient.reactivation', 'patient', p.id,
       jsonb_build_object('last_visit_at', v.last_visit,
                          'months_since_last_visit', floor(extract(epoch FROM now() - v.last_visit) / (30.44 * 86400))::int),
       'patient.reactivation:' || p.id || ':' || floor(extract(epoch FROM now()) / ($2::int * 86400))::bigint,
       s.max_retries
  FROM barnum.patients p
  JOIN LATERAL (
        SELECT max(a.starts_at) AS last_visit
          FROM barnum.appointments a
         WHERE a.patient_id = p.id AND a.status = 'completed'
       ) v ON v.last_visit IS NOT NULL
  CROSS JOIN barnum.barnum_settings s
 WHERE v.last_visit < now() - make_interval(days => $1::int)
   AND p.phone IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM barnum.contact_preferences c WHERE c.patient_id = p.id AND c.whatsapp_opted_out_at IS NOT NULL)
   AND NOT EXISTS (SELECT 1 FROM barnum.appointments f
                    WHERE f.patient_id = p.id AND f.starts_at > now() AND f.status IN ('scheduled', 'pre_confirmed', 'confirmed'))
ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
RETURNING id, entity_id
