-- Barnum 004: the seed's four functions, with its flaws fixed: tokens are stored as SHA-256
-- hashes and redeemed atomically (exactly one of N racers wins). The seed's three triggers
-- (trg_pre_confirmation, trg_no_show, trg_review) are one trigger attached to the business's
-- appointments table through the contract (014).

CREATE FUNCTION barnum_token_hash(p_token text) RETURNS bytea
LANGUAGE sql
IMMUTABLE
STRICT
SET search_path = pg_catalog
AS $$ SELECT sha256(convert_to(p_token, 'UTF8')) $$;

CREATE FUNCTION generate_action_token(
  p_action_type text,
  p_appointment_id uuid,
  p_patient_id uuid,
  p_workflow_id uuid DEFAULT NULL,
  p_metadata jsonb DEFAULT NULL,
  p_expires_in_days integer DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql
VOLATILE
-- "extensions" is where Supabase installs pgcrypto; a schema that does not exist is skipped.
SET search_path = pg_catalog, barnum, extensions, public
AS $$
DECLARE
  v_token text;
  v_ttl interval;
BEGIN
  IF p_action_type IS NULL OR p_action_type NOT IN ('confirm', 'cancel', 'reschedule') THEN
    RAISE EXCEPTION 'generate_action_token: unknown action type "%"; expected confirm, cancel or reschedule', p_action_type
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_expires_in_days IS NOT NULL AND p_expires_in_days <= 0 THEN
    RAISE EXCEPTION 'generate_action_token: p_expires_in_days must be positive, got %', p_expires_in_days
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM 1 FROM appointments a WHERE a.id = p_appointment_id AND a.patient_id = p_patient_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'generate_action_token: appointment % does not exist or does not belong to patient %',
      p_appointment_id, p_patient_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;

  SELECT coalesce(make_interval(days => p_expires_in_days), s.action_token_ttl) INTO v_ttl FROM barnum_settings s;
  -- 24 random bytes, URL-safe base64 (32 characters, no padding): fits in a link as it is.
  v_token := translate(encode(gen_random_bytes(24), 'base64'), '+/', '-_');

  INSERT INTO whatsapp_action_tokens (token_hash, action_type, appointment_id, patient_id, workflow_id, metadata, expires_at)
  VALUES (barnum_token_hash(v_token), p_action_type, p_appointment_id, p_patient_id, p_workflow_id, p_metadata,
          now() + coalesce(v_ttl, interval '7 days'));
  RETURN v_token;
END
$$;

-- valid is true only for an unused, unexpired token (of p_action_type when given). For a used,
-- expired or mismatched token the row still names its appointment, so a caller can show the
-- appointment's current state; an unknown token returns one row of NULLs with 'not_found'.
CREATE FUNCTION validate_action_token(p_token text, p_action_type text DEFAULT NULL)
RETURNS TABLE (
  valid boolean,
  appointment_id uuid,
  patient_id uuid,
  action_type text,
  metadata jsonb,
  error_message text,
  error_code text,
  workflow_id uuid,
  expires_at timestamptz
)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, barnum
AS $$
  WITH found AS (
    SELECT t.*,
           CASE
             WHEN t.used_at IS NOT NULL THEN 'used'
             WHEN t.expires_at <= now() THEN 'expired'
             WHEN p_action_type IS NOT NULL AND t.action_type <> p_action_type THEN 'wrong_action'
           END AS code
      FROM whatsapp_action_tokens t
     WHERE t.token_hash = barnum_token_hash(p_token)
  )
  SELECT f.code IS NULL, f.appointment_id, f.patient_id, f.action_type, f.metadata,
         CASE f.code
           WHEN 'used' THEN 'Token already used'
           WHEN 'expired' THEN 'Token expired'
           WHEN 'wrong_action' THEN 'Token is for a different action'
         END,
         f.code, f.workflow_id, f.expires_at
    FROM found f
  UNION ALL
  SELECT false, NULL::uuid, NULL::uuid, NULL::text, NULL::jsonb, 'Token not found', 'not_found', NULL::uuid, NULL::timestamptz
   WHERE NOT EXISTS (SELECT 1 FROM found)
$$;

-- Returns true for exactly one caller per token: the UPDATE re-checks used_at after waiting for
-- a concurrent redeemer's row lock, so the losers match no row.
CREATE FUNCTION mark_token_used(p_token text, p_action_type text DEFAULT NULL) RETURNS boolean
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
  WITH redeemed AS (
    UPDATE whatsapp_action_tokens t
       SET used_at = now()
     WHERE t.token_hash = barnum_token_hash(p_token)
       AND t.used_at IS NULL
       AND t.expires_at > now()
       AND (p_action_type IS NULL OR t.action_type = p_action_type)
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM redeemed)
$$;

CREATE FUNCTION create_whatsapp_event(
  p_event_type text,
  p_entity_type text,
  p_entity_id uuid,
  p_workflow_id uuid DEFAULT NULL,
  p_scheduled_for timestamptz DEFAULT now(),
  p_payload jsonb DEFAULT '{}'::jsonb,
  p_max_retries integer DEFAULT NULL
) RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, barnum
AS $$
DECLARE
  v_id uuid;
BEGIN
  INSERT INTO whatsapp_events (event_type, entity_type, entity_id, workflow_id, payload, scheduled_for, max_retries)
  SELECT p_event_type, p_entity_type, p_entity_id, p_workflow_id, coalesce(p_payload, '{}'::jsonb),
         coalesce(p_scheduled_for, now()), coalesce(p_max_retries, s.max_retries)
    FROM barnum_settings s
  RETURNING id INTO v_id;
  IF v_id IS NULL THEN
    RAISE EXCEPTION 'create_whatsapp_event: barnum_settings row is missing';
  END IF;
  RETURN v_id;
END
$$;

SELECT barnum_secure_function('barnum_token_hash(text)');
SELECT barnum_secure_function('generate_action_token(text, uuid, uuid, uuid, jsonb, integer)');
SELECT barnum_secure_function('validate_action_token(text, text)');
SELECT barnum_secure_function('mark_token_used(text, text)');
SELECT barnum_secure_function('create_whatsapp_event(text, text, uuid, uuid, timestamptz, jsonb, integer)');
