-- The pages of several links in one round trip (GET: read only, nothing changes). One row per
-- requested token, in the order given ($1, a text[]; `i` is the position): the token's action and
-- whether it is used or expired, and everything its page shows — the appointment, the patient's
-- name and language, the professional, the specialty and the clinic's settings (its location's,
-- where it has one). An unknown token
-- still gets its row, with the clinic's name and language only, for the page that says so.
-- The token's hash is barnum_token_hash's body written out: that function is not inlined (its
-- SET search_path makes every call a function call of its own), and per token the call cost more
-- than the hash, about a fifth of this statement's time. The pages' tests create links with
-- generate_action_token, which hashes through the function, so the two cannot drift apart unseen.
SELECT q.i, t.action_type, t.appointment_id, t.used_at IS NOT NULL AS used, t.expires_at <= now() AS expired,
       a.status, a.starts_at, a.starts_at <= now() AS started, p.name AS patient_name, p.locale AS patient_locale,
       pr.name AS professional_name, sp.name AS specialty_name,
       coalesce(l.name, s.business_name) AS business_name, coalesce(l.locale, s.default_locale) AS default_locale,
       coalesce(l.timezone, s.timezone) AS timezone
  FROM unnest($1::text[]) WITH ORDINALITY AS q (token, i)
  CROSS JOIN barnum.barnum_settings s
  LEFT JOIN (barnum.whatsapp_action_tokens t
             JOIN barnum.appointments a ON a.id = t.appointment_id
             JOIN barnum.patients p ON p.id = a.patient_id)
         ON t.token_hash = sha256(convert_to(q.token, 'UTF8'))
  LEFT JOIN barnum.professionals pr ON pr.id = a.professional_id
  LEFT JOIN barnum.specialties sp ON sp.id = coalesce(a.specialty_id, pr.specialty_id)
  LEFT JOIN barnum.locations l ON l.id = a.location_id
