-- Items $1, in that order, with what a notice says about them: the patient, the appointment, the
-- place (its name, timezone, language and link address) and where its team is told.
SELECT i.id, i.kind, i.channel, i.detail, i.phone AS sender_phone, i.event_type, i.created_at, i.notified_at,
       i.handled_at, i.handled_by, i.handled_via, i.appointment_id, a.starts_at, a.status AS appointment_status,
       p.id AS patient_id, p.name AS patient_name, p.phone AS patient_phone, p.email AS patient_email, p.locale AS patient_locale,
       pr.name AS professional_name, sp.name AS specialty_name, i.location_id, s.business_name,
       coalesce(l.name, s.business_name) AS location_name,
       coalesce(l.timezone, s.timezone) AS timezone,
       coalesce(l.locale, s.default_locale) AS locale,
       rtrim(coalesce(l.public_base_url, s.public_base_url), '/') AS public_base_url,
       coalesce(l.team_email, s.team_email) AS team_email,
       s.team_email_from,
       coalesce(l.team_chat_webhook_url, s.team_chat_webhook_url) AS team_chat_webhook_url,
       coalesce(l.team_chat_format, s.team_chat_format) AS team_chat_format,
       coalesce(l.team_whatsapp, s.team_whatsapp) AS team_whatsapp
  FROM unnest($1::uuid[]) WITH ORDINALITY AS ids (id, n)
  JOIN barnum.attention_items i ON i.id = ids.id
 CROSS JOIN barnum.barnum_settings s
  LEFT JOIN barnum.appointments a ON a.id = i.appointment_id
  LEFT JOIN barnum.patients p ON p.id = coalesce(i.patient_id, a.patient_id)
  LEFT JOIN barnum.professionals pr ON pr.id = a.professional_id
  LEFT JOIN barnum.specialties sp ON sp.id = a.specialty_id
  LEFT JOIN barnum.locations l ON l.id = i.location_id
 ORDER BY ids.n
