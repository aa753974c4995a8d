-- The built-in contract: Barnum's own clinic tables, for a business with none of its own (the
-- demo, or appointments fed in from other systems through n8n). They live in schema barnum_clinic
-- and are attached exactly as a business's own tables are (docs/database.md). Safe to apply again.
--
-- date and time are the clinic's wall clock (as in the seed); starts_at is the instant, derived
-- from them in the location's timezone (the business's without one) by trg_appointments_starts_at,
-- so reminders land at the right hour across daylight-saving changes. Write date/time; starts_at
-- is overwritten.

CREATE SCHEMA IF NOT EXISTS barnum_clinic;
GRANT USAGE ON SCHEMA barnum_clinic TO barnum_app;

CREATE TABLE IF NOT EXISTS barnum_clinic.specialties (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CONSTRAINT specialties_name_present CHECK (length(btrim(name)) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS barnum_clinic.professionals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CONSTRAINT professionals_name_present CHECK (length(btrim(name)) > 0),
  specialty_id uuid REFERENCES barnum_clinic.specialties (id) ON DELETE SET NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS barnum_clinic.patients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CONSTRAINT patients_name_present CHECK (length(btrim(name)) > 0),
  -- E.164: a plus, a non-zero country code digit, at most 15 digits in all.
  phone text CONSTRAINT patients_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  email text,
  locale text CONSTRAINT patients_locale_supported CHECK (locale IN ('pt-PT', 'en', 'pt-BR', 'es')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_patients_phone ON barnum_clinic.patients (phone);

CREATE TABLE IF NOT EXISTS barnum_clinic.appointments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL REFERENCES barnum_clinic.patients (id) ON DELETE CASCADE,
  professional_id uuid REFERENCES barnum_clinic.professionals (id) ON DELETE SET NULL,
  specialty_id uuid REFERENCES barnum_clinic.specialties (id) ON DELETE SET NULL,
  -- A clinic group's site (barnum.locations); NULL: the business-wide settings.
  location_id uuid REFERENCES barnum.locations (id) ON DELETE SET NULL,
  date date NOT NULL,
  time time NOT NULL,
  starts_at timestamptz NOT NULL,
  duration_minutes integer NOT NULL DEFAULT 30
    CONSTRAINT appointments_duration_positive CHECK (duration_minutes > 0),
  status text NOT NULL DEFAULT 'scheduled'
    CONSTRAINT appointments_status_known
    CHECK (status IN ('scheduled', 'pre_confirmed', 'confirmed', 'cancelled', 'no_show', 'completed')),
  cancellation_reason text,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_appointments_patient ON barnum_clinic.appointments (patient_id, starts_at DESC);
CREATE INDEX IF NOT EXISTS idx_appointments_starts_at ON barnum_clinic.appointments (starts_at);

CREATE OR REPLACE FUNCTION barnum_clinic.appointment_starts_at() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, barnum
AS $$
BEGIN
  -- The settings and locations are readable by the trigger's owner whatever the writer's role.
  NEW.starts_at := local_instant(NEW.date, NEW.time, NEW.location_id);
  IF NEW.starts_at IS NULL THEN
    RAISE EXCEPTION 'barnum_settings row is missing: cannot place the appointment in a timezone';
  END IF;
  RETURN NEW;
END
$$;
SELECT barnum.barnum_secure_function('barnum_clinic.appointment_starts_at()', false);

CREATE OR REPLACE TRIGGER trg_appointments_starts_at
  BEFORE INSERT OR UPDATE OF date, time, starts_at, location_id ON barnum_clinic.appointments
  FOR EACH ROW EXECUTE FUNCTION barnum_clinic.appointment_starts_at();
CREATE OR REPLACE TRIGGER trg_specialties_updated_at BEFORE UPDATE ON barnum_clinic.specialties
  FOR EACH ROW EXECUTE FUNCTION barnum.barnum_touch_updated_at();
CREATE OR REPLACE TRIGGER trg_professionals_updated_at BEFORE UPDATE ON barnum_clinic.professionals
  FOR EACH ROW EXECUTE FUNCTION barnum.barnum_touch_updated_at();
CREATE OR REPLACE TRIGGER trg_patients_updated_at BEFORE UPDATE ON barnum_clinic.patients
  FOR EACH ROW EXECUTE FUNCTION barnum.barnum_touch_updated_at();
CREATE OR REPLACE TRIGGER trg_appointments_updated_at BEFORE UPDATE ON barnum_clinic.appointments
  FOR EACH ROW EXECUTE FUNCTION barnum.barnum_touch_updated_at();

-- The source system's own key (Cal.com, a practice system's database, a spreadsheet), so that n8n's
-- upserts (the Barnum node's Clinic Data operations) find the row they wrote before. Both NULL for
-- rows written otherwise; NULLs never collide in a unique index.
ALTER TABLE barnum_clinic.specialties ADD COLUMN IF NOT EXISTS source text;
ALTER TABLE barnum_clinic.specialties ADD COLUMN IF NOT EXISTS external_id text;
ALTER TABLE barnum_clinic.professionals ADD COLUMN IF NOT EXISTS source text;
ALTER TABLE barnum_clinic.professionals ADD COLUMN IF NOT EXISTS external_id text;
ALTER TABLE barnum_clinic.patients ADD COLUMN IF NOT EXISTS source text;
ALTER TABLE barnum_clinic.patients ADD COLUMN IF NOT EXISTS external_id text;
ALTER TABLE barnum_clinic.appointments ADD COLUMN IF NOT EXISTS source text;
ALTER TABLE barnum_clinic.appointments ADD COLUMN IF NOT EXISTS external_id text;
CREATE UNIQUE INDEX IF NOT EXISTS uq_specialties_source_external_id ON barnum_clinic.specialties (source, external_id);
CREATE UNIQUE INDEX IF NOT EXISTS uq_professionals_source_external_id ON barnum_clinic.professionals (source, external_id);
CREATE UNIQUE INDEX IF NOT EXISTS uq_patients_source_external_id ON barnum_clinic.patients (source, external_id);
CREATE UNIQUE INDEX IF NOT EXISTS uq_appointments_source_external_id ON barnum_clinic.appointments (source, external_id);

-- Row Level Security as on every Barnum table; barnum_app may write them (n8n feeds them).
DO $$
DECLARE
  v_table regclass;
BEGIN
  FOREACH v_table IN ARRAY ARRAY['barnum_clinic.specialties', 'barnum_clinic.professionals',
                                 'barnum_clinic.patients', 'barnum_clinic.appointments']::regclass[] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = v_table AND p.polname = 'barnum_app_all') THEN
      PERFORM barnum.barnum_secure_table(v_table);
    END IF;
  END LOOP;
END
$$;

-- The contract over them: the same columns, nothing to map.
CREATE OR REPLACE VIEW barnum.specialties AS
SELECT s.id, s.name FROM barnum_clinic.specialties s;

CREATE OR REPLACE VIEW barnum.professionals AS
SELECT p.id, p.name, p.specialty_id FROM barnum_clinic.professionals p;

CREATE OR REPLACE VIEW barnum.patients AS
SELECT p.id, p.name, p.phone, p.email, p.locale FROM barnum_clinic.patients p;

CREATE OR REPLACE VIEW barnum.appointments AS
SELECT a.id, a.patient_id, a.professional_id, a.specialty_id, a.starts_at, a.duration_minutes, a.status, a.location_id
  FROM barnum_clinic.appointments a;

CREATE OR REPLACE FUNCTION barnum.contract_set_status(p_appointment_id uuid, p_status text, p_reason text) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, barnum_clinic
AS $$
  UPDATE barnum_clinic.appointments a
     SET status = p_status,
         cancellation_reason = CASE WHEN p_status = 'cancelled' THEN p_reason ELSE a.cancellation_reason END
   WHERE a.id = p_appointment_id
$$;

-- A move is a new wall-clock date and time at the appointment's location; it needs confirming again.
CREATE OR REPLACE FUNCTION barnum.contract_reschedule(p_appointment_id uuid, p_starts_at timestamptz) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, barnum_clinic
AS $$
  UPDATE barnum_clinic.appointments a
     SET date = (p_starts_at AT TIME ZONE barnum.location_timezone(a.location_id))::date,
         time = (p_starts_at AT TIME ZONE barnum.location_timezone(a.location_id))::time,
         status = 'scheduled'
   WHERE a.id = p_appointment_id
$$;

SELECT barnum.attach_appointments('barnum_clinic.appointments');
