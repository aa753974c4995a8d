SELECT a.id, a.patient_id, a.status, to_char(a.starts_at AT TIME ZONE coalesce(l.timezone, s.timezone), 'YYYY-MM-DD') AS date,
       to_char(a.starts_at AT TIME ZONE coalesce(l.timezone, s.timezone), 'HH24:MI') AS time, a.starts_at, a.duration_minutes,
       p.name AS patient_name, p.phone AS patient_phone, p.locale AS patient_locale,
       coalesce(l.locale, s.default_locale) AS default_locale, pr.name AS professional_name, sp.name AS specialty_name,
       s.business_name, coalesce(l.timezone, s.timezone) AS timezone, a.location_id, l.name AS location_name
  FROM barnum.appointments a
  JOIN barnum.patients p ON p.id = a.patient_id
  LEFT JOIN barnum.professionals pr ON pr.id = a.professional_id
  LEFT JOIN barnum.specialties sp ON sp.id = coalesce(a.specialty_id, pr.specialty_id)
  LEFT JOIN barnum.locations l ON l.id = a.location_id
  CROSS JOIN barnum.barnum_settings s
 WHERE a.id = $1
