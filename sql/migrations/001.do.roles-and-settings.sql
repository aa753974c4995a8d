-- Barnum 001: extensions, the application role, settings and shared helpers.
--
-- The companion server and the n8n nodes never connect as the owner of these objects: they log in
-- as a role that is a member of barnum_app (see docs/database.md). Every table gets Row Level
-- Security through barnum_secure_table(), so a Supabase anon/authenticated client reads nothing.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

DO $$
BEGIN
  CREATE ROLE barnum_app NOLOGIN;
EXCEPTION
  -- Roles are cluster-wide: another database of the same cluster may have created it already.
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA barnum TO barnum_app;

-- Enables RLS on a table, lets barnum_app (and only it) through, and takes away whatever a
-- Supabase-style default privilege gave anon/authenticated. Every migration calls it for each
-- table it creates; a test fails if a table in this schema is left without RLS.
CREATE FUNCTION barnum_secure_table(p_table regclass, p_privileges text DEFAULT 'SELECT, INSERT, UPDATE')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_role text;
BEGIN
  IF p_privileges !~ '^(SELECT|INSERT|UPDATE|DELETE)(, ?(SELECT|INSERT|UPDATE|DELETE))*$' THEN
    RAISE EXCEPTION 'barnum_secure_table: unsupported privilege list "%"', p_privileges;
  END IF;
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('REVOKE ALL ON TABLE %s FROM PUBLIC', p_table);
  FOREACH v_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
      EXECUTE format('REVOKE ALL ON TABLE %s FROM %I', p_table, v_role);
    END IF;
  END LOOP;
  EXECUTE format('GRANT %s ON TABLE %s TO barnum_app', p_privileges, p_table);
  EXECUTE format(
    'CREATE POLICY barnum_app_all ON %s AS PERMISSIVE FOR ALL TO barnum_app USING (true) WITH CHECK (true)',
    p_table);
END
$$;

-- Functions are executable by PUBLIC unless told otherwise, and Supabase grants EXECUTE on new
-- functions to anon/authenticated by default privilege. This narrows one function to barnum_app.
CREATE FUNCTION barnum_secure_function(p_function regprocedure, p_grant_to_app boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_role text;
BEGIN
  EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', p_function);
  FOREACH v_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
      EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %I', p_function, v_role);
    END IF;
  END LOOP;
  IF p_grant_to_app THEN
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO barnum_app', p_function);
  END IF;
END
$$;

SELECT barnum_secure_function('barnum_secure_table(regclass, text)', false);
SELECT barnum_secure_function('barnum_secure_function(regprocedure, boolean)', false);

-- The migration runner's own bookkeeping table lives in this schema too; the app may read it to
-- check that the database is migrated, nothing more.
SELECT barnum_secure_table('schema_version', 'SELECT');

CREATE FUNCTION barnum_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, barnum
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
SELECT barnum_secure_function('barnum_touch_updated_at()', false);

CREATE FUNCTION barnum_is_valid_timezone(p_timezone text) RETURNS boolean
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, barnum
AS $$
BEGIN
  IF p_timezone IS NULL THEN
    RETURN false;
  END IF;
  PERFORM now() AT TIME ZONE p_timezone;
  RETURN true;
EXCEPTION
  WHEN invalid_parameter_value THEN RETURN false;
END
$$;
SELECT barnum_secure_function('barnum_is_valid_timezone(text)');

-- One row: the business this database serves. Quiet hours wrap midnight when start > end;
-- both NULL means none.
CREATE TABLE barnum_settings (
  id boolean PRIMARY KEY DEFAULT true CONSTRAINT barnum_settings_single_row CHECK (id),
  business_name text NOT NULL DEFAULT 'Barnum'
    CONSTRAINT barnum_settings_business_name_present CHECK (length(btrim(business_name)) > 0),
  public_base_url text NOT NULL DEFAULT 'http://localhost:3000'
    CONSTRAINT barnum_settings_public_base_url_http CHECK (public_base_url ~ '^https?://[^/\s?#]+(/[^\s?#]*)?$'),
  timezone text NOT NULL DEFAULT 'Europe/Lisbon'
    CONSTRAINT barnum_settings_timezone_known CHECK (barnum_is_valid_timezone(timezone)),
  default_locale text NOT NULL DEFAULT 'pt-PT'
    CONSTRAINT barnum_settings_default_locale_supported CHECK (default_locale IN ('pt-PT', 'en', 'pt-BR', 'es')),
  quiet_hours_start time DEFAULT '21:00',
  quiet_hours_end time DEFAULT '08:00',
  action_token_ttl interval NOT NULL DEFAULT '7 days'
    CONSTRAINT barnum_settings_action_token_ttl_positive CHECK (action_token_ttl > interval '0'),
  max_retries integer NOT NULL DEFAULT 3
    CONSTRAINT barnum_settings_max_retries_range CHECK (max_retries BETWEEN 0 AND 25),
  retry_base_delay interval NOT NULL DEFAULT '30 seconds'
    CONSTRAINT barnum_settings_retry_base_delay_positive CHECK (retry_base_delay > interval '0'),
  retry_max_delay interval NOT NULL DEFAULT '6 hours',
  no_show_delay interval NOT NULL DEFAULT '1 hour'
    CONSTRAINT barnum_settings_no_show_delay_not_negative CHECK (no_show_delay >= interval '0'),
  review_delay interval NOT NULL DEFAULT '2 hours'
    CONSTRAINT barnum_settings_review_delay_not_negative CHECK (review_delay >= interval '0'),
  reminder_offsets interval[] NOT NULL DEFAULT ARRAY[interval '24 hours'],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT barnum_settings_quiet_hours_both_or_neither
    CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL)),
  CONSTRAINT barnum_settings_retry_max_delay_above_base CHECK (retry_max_delay >= retry_base_delay)
);

INSERT INTO barnum_settings DEFAULT VALUES;

CREATE TRIGGER trg_barnum_settings_updated_at
  BEFORE UPDATE ON barnum_settings
  FOR EACH ROW EXECUTE FUNCTION barnum_touch_updated_at();

SELECT barnum_secure_table('barnum_settings', 'SELECT, UPDATE');
