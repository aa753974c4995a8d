-- Barnum 002: the clinic's own data, with the seed's names.

CREATE TABLE specialties (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CONSTRAINT specialties_name_present CHECK (length(btrim(name)) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE professionals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CONSTRAINT professionals_name_present CHECK (length(btrim(name)) > 0),
  specialty_id uuid REFERENCES specialties (id) ON DELETE SET NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE patients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CONSTRAINT patients_name_present CHECK (length(btrim(name)) > 0),
  -- E.164: a plus, a non-zero country code digit, at most 15 digits in all.
  phone text CONSTRAINT patients_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  email text,
  locale text CONSTRAINT patients_locale_supported CHECK (locale IN ('pt-PT', 'en', 'pt-BR', 'es')),
  whatsapp_opted_out_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_patients_phone ON patients (phone);

-- date and time are the clinic's wall clock (as in the seed); starts_at is the instant, derived
-- from them in the clinic's timezone by trg_appointments_starts_at so reminders land at the right
-- hour across daylight-saving changes. Write date/time; starts_at is overwritten.
CREATE TABLE appointments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
  professional_id uuid REFERENCES professionals (id) ON DELETE SET NULL,
  specialty_id uuid REFERENCES specialties (id) ON DELETE SET NULL,
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

CREATE INDEX idx_appointments_patient ON appointments (patient_id, starts_at DESC);
CREATE INDEX idx_appointments_starts_at ON appointments (starts_at);

CREATE FUNCTION barnum_appointment_starts_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
BEGIN
  -- The settings row is readable by the trigger's owner whatever the writer's role.
  SELECT (NEW.date + NEW.time) AT TIME ZONE s.timezone INTO NEW.starts_at FROM barnum_settings s;
  IF NEW.starts_at IS NULL THEN
    RAISE EXCEPTION 'barnum_settings row is missing: cannot place the appointment in a timezone';
  END IF;
  RETURN NEW;
END
$$;
ALTER FUNCTION barnum_appointment_starts_at() SECURITY DEFINER;
SELECT barnum_secure_function('barnum_appointment_starts_at()', false);

CREATE TRIGGER trg_appointments_starts_at
  BEFORE INSERT OR UPDATE OF date, time, starts_at ON appointments
  FOR EACH ROW EXECUTE FUNCTION barnum_appointment_starts_at();

CREATE TRIGGER trg_specialties_updated_at BEFORE UPDATE ON specialties
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();
CREATE TRIGGER trg_professionals_updated_at BEFORE UPDATE ON professionals
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();
CREATE TRIGGER trg_patients_updated_at BEFORE UPDATE ON patients
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();
CREATE TRIGGER trg_appointments_updated_at BEFORE UPDATE ON appointments
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();

SELECT barnum_secure_table('specialties');
SELECT barnum_secure_table('professionals');
SELECT barnum_secure_table('patients');
SELECT barnum_secure_table('appointments');
