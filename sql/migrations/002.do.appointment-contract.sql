-- Barnum 002: the contract between Barnum and the business's own tables (docs/database.md,
-- "The appointment contract").
--
-- Barnum reads the business's appointments, patients, professionals and specialties only through
-- these four views, with these column names and types, and changes an appointment only through
-- barnum.contract_set_status and barnum.contract_reschedule (014). A contract file (sql/contracts/,
-- or the DBA's own) replaces the views with CREATE OR REPLACE VIEW over the business's tables, and
-- the two functions with ones that write them. Until then the views have no rows: Barnum is
-- installed but reads nothing.
--
-- Statuses are Barnum's: scheduled, pre_confirmed, confirmed, cancelled, no_show, completed; a
-- contract maps the business's own values onto them. starts_at is the appointment's instant.

CREATE VIEW specialties AS
SELECT NULL::uuid AS id, NULL::text AS name
 WHERE false;

CREATE VIEW professionals AS
SELECT NULL::uuid AS id, NULL::text AS name, NULL::uuid AS specialty_id
 WHERE false;

-- phone: E.164 (+ and up to 15 digits) or NULL; locale: pt-PT, en, pt-BR, es or NULL (the
-- business's default then).
CREATE VIEW patients AS
SELECT NULL::uuid AS id, NULL::text AS name, NULL::text AS phone, NULL::text AS email, NULL::text AS locale
 WHERE false;

-- location_id: a barnum.locations row (a clinic group's site), or NULL for the business-wide settings.
CREATE VIEW appointments AS
SELECT NULL::uuid AS id, NULL::uuid AS patient_id, NULL::uuid AS professional_id, NULL::uuid AS specialty_id,
       NULL::timestamptz AS starts_at, NULL::integer AS duration_minutes, NULL::text AS status, NULL::uuid AS location_id
 WHERE false;

GRANT SELECT ON specialties, professionals, patients, appointments TO barnum_app;
-- SELECT ... FOR UPDATE needs it: Barnum locks the business's row while it changes the appointment
-- (the change itself goes through contract_set_status and contract_reschedule).
GRANT UPDATE ON appointments TO barnum_app;

-- Opt-outs are Barnum's own record about a person, kept beside the business's patients, not in them.
CREATE TABLE contact_preferences (
  patient_id uuid PRIMARY KEY,
  whatsapp_opted_out_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT barnum_secure_table('contact_preferences');

-- A business's patients may carry any language code; messages and pages speak these four.
CREATE FUNCTION barnum_supported_locale(p_locale text, p_default text) RETURNS text
LANGUAGE sql
IMMUTABLE
RETURN CASE WHEN p_locale IN ('pt-PT', 'en', 'pt-BR', 'es') THEN p_locale ELSE p_default END;
SELECT barnum_secure_function('barnum_supported_locale(text, text)');
