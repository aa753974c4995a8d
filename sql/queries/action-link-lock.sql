-- POST: the token behind a link, locked so that of several simultaneous presses one acts and the
-- rest see it used, with the page's appointment, patient, professional, specialty and clinic
-- settings (its location's, where it has one) in the same round trip. The appointment is locked too: a press that waited for another
-- then reads the appointment as that one left it (PostgreSQL re-reads only the rows it locks).
SELECT t.action_type, t.appointment_id, t.used_at IS NOT NULL AS used, t.expires_at <= now() AS expired,
       a.status, a.starts_at, a.starts_at <= now() AS started, p.name AS patient_name, p.locale AS patient_locale,
       pr.name AS professional_name, sp.name AS specialty_name,
       coalesce(l.name, s.business_name) AS business_name, coalesce(l.locale, s.default_locale) AS default_locale,
       coalesce(l.timezone, s.timezone) AS timezone
  FROM barnum.whatsapp_action_tokens t
  JOIN barnum.appointments a ON a.id = t.appointment_id
  JOIN barnum.patients p ON p.id = a.patient_id
  LEFT JOIN barnum.professionals pr ON pr.id = a.professional_id
  LEFT JOIN barnum.specialties sp ON sp.id = coalesce(a.specialty_id, pr.specialty_id)
  LEFT JOIN barnum.locations l ON l.id = a.location_id
  CROSS JOIN barnum.barnum_settings s
 WHERE t.token_hash = barnum.barnum_token_hash($1)
   FOR UPDATE OF t, a
