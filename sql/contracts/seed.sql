-- The contract for a database built as the seed document describes ("Barnum WhatsApp Webhook
-- Architecture"): its clinic tables in public, its outbox, plain-text tokens, its four functions
-- and three triggers. Applying it upgrades that database in place (docs/upgrading-from-the-seed.md):
--   1. the seed's three triggers on public.appointments give way to Barnum's one;
--   2. every row of whatsapp_workflows, whatsapp_events and whatsapp_action_tokens moves into
--      Barnum's tables with its id; tokens are stored as their SHA-256 from then on, so links
--      already sent keep working; an event the seed left in 'processing' is reclaimable at once;
--   3. the three tables' names in public become views of Barnum's, and the four functions keep
--      their names and signatures in public, calling Barnum's: the rest of the seed's application
--      goes on working. They are granted to service_role (the seed's server key), not to anon or
--      authenticated;
--   4. Barnum reads appointments(id, patient_id, professional_id, specialty_id, date, time,
--      status), patients(id, name, phone), professionals(id, name) and specialties(id, name).
-- It runs inside barnum migrate's transaction: if any step fails, nothing has changed.
-- Safe to apply again: the move happens only while the seed's tables are still tables.

DO $$
DECLARE
  v_trigger record;
BEGIN
  FOR v_trigger IN
    SELECT t.tgname, t.tgfoid::regprocedure AS fn
      FROM pg_trigger t
     WHERE t.tgrelid = 'public.appointments'::regclass
       AND t.tgname IN ('trg_pre_confirmation', 'trg_no_show', 'trg_review')
  LOOP
    EXECUTE format('DROP TRIGGER %I ON public.appointments', v_trigger.tgname);
    IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgfoid = v_trigger.fn::oid) THEN
      EXECUTE format('DROP FUNCTION %s', v_trigger.fn);
    END IF;
  END LOOP;
END
$$;

DO $$
BEGIN
  IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('public.whatsapp_workflows')) = 'r' THEN
    INSERT INTO barnum.whatsapp_workflows (id, workflow_type, appointment_id, patient_id, status, response, attempt,
                                           review_submitted, rating, metadata, completed_at, created_at, updated_at)
    SELECT coalesce((j ->> 'id')::uuid, gen_random_uuid()),
           coalesce(nullif(btrim(j ->> 'workflow_type'), ''), 'unknown'),
           (j ->> 'appointment_id')::uuid, (j ->> 'patient_id')::uuid,
           CASE WHEN j ->> 'status' IN ('pending', 'sent', 'completed', 'cancelled', 'failed', 'skipped')
                THEN j ->> 'status' ELSE 'completed' END,
           j ->> 'response',
           CASE WHEN (j ->> 'attempt')::numeric BETWEEN 1 AND 2147483647 THEN (j ->> 'attempt')::integer END,
           (j ->> 'review_submitted')::boolean,
           CASE WHEN (j ->> 'rating')::numeric BETWEEN 1 AND 5 THEN (j ->> 'rating')::smallint END,
           coalesce(j -> 'metadata', '{}'::jsonb) || jsonb_strip_nulls(jsonb_build_object('seed_status',
             CASE WHEN j ->> 'status' NOT IN ('pending', 'sent', 'completed', 'cancelled', 'failed', 'skipped') THEN j ->> 'status' END)),
           (j ->> 'completed_at')::timestamptz,
           coalesce((j ->> 'created_at')::timestamptz, now()), coalesce((j ->> 'updated_at')::timestamptz, now())
      FROM public.whatsapp_workflows w, LATERAL to_jsonb(w) j;
  END IF;

  IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('public.whatsapp_events')) = 'r' THEN
    INSERT INTO barnum.whatsapp_events (id, event_type, entity_type, entity_id, workflow_id, payload, status, retry_count,
                                        max_retries, attempts, last_error, scheduled_for, locked_until, locked_by,
                                        processed_at, created_at, updated_at)
    SELECT (j ->> 'id')::uuid, j ->> 'event_type', j ->> 'entity_type', (j ->> 'entity_id')::uuid,
           (j ->> 'workflow_id')::uuid, coalesce(j -> 'payload', '{}'::jsonb),
           -- The seed's 'processing' has no lease: whoever held it is long gone, so it is taken over.
           CASE j ->> 'status' WHEN 'processing' THEN 'processing' WHEN 'sent' THEN 'sent'
                               WHEN 'dead_letter' THEN 'dead_letter' ELSE 'pending' END,
           greatest(coalesce((j ->> 'retry_count')::integer, 0), 0), greatest(coalesce((j ->> 'max_retries')::integer, 3), 0),
           greatest(coalesce((j ->> 'retry_count')::integer, 0), 0),
           j ->> 'last_error', coalesce((j ->> 'scheduled_for')::timestamptz, now()),
           CASE WHEN j ->> 'status' = 'processing' THEN now() END,
           CASE WHEN j ->> 'status' = 'processing' THEN 'seed-upgrade' END,
           (j ->> 'processed_at')::timestamptz,
           coalesce((j ->> 'created_at')::timestamptz, now()), coalesce((j ->> 'updated_at')::timestamptz, now())
      FROM public.whatsapp_events e, LATERAL to_jsonb(e) j;
  END IF;

  IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('public.whatsapp_action_tokens')) = 'r' THEN
    INSERT INTO barnum.whatsapp_action_tokens (id, token_hash, action_type, appointment_id, patient_id, workflow_id,
                                               metadata, used_at, expires_at, created_at)
    SELECT t.id, barnum.barnum_token_hash(t.token), t.action_type, t.appointment_id, t.patient_id, t.workflow_id,
           t.metadata, t.used_at, t.expires_at, t.created_at
      FROM public.whatsapp_action_tokens t;

    DROP TABLE public.whatsapp_action_tokens;
  END IF;
  IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('public.whatsapp_events')) = 'r' THEN
    DROP TABLE public.whatsapp_events;
  END IF;
  IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('public.whatsapp_workflows')) = 'r' THEN
    DROP TABLE public.whatsapp_workflows;
  END IF;
END
$$;

CREATE OR REPLACE VIEW public.whatsapp_workflows AS
SELECT w.id, w.workflow_type, w.appointment_id, w.patient_id, w.status, w.response, w.attempt, w.review_submitted,
       w.rating, w.metadata, w.completed_at, w.created_at, w.updated_at
  FROM barnum.whatsapp_workflows w;

CREATE OR REPLACE VIEW public.whatsapp_events AS
SELECT e.id, e.event_type, e.entity_type, e.entity_id, e.workflow_id, e.payload, e.status, e.retry_count,
       e.max_retries, e.last_error, e.scheduled_for, e.processed_at, e.created_at, e.updated_at
  FROM barnum.whatsapp_events e;

-- The plain token is no longer stored anywhere; the column stays for readers that select it.
CREATE OR REPLACE VIEW public.whatsapp_action_tokens AS
SELECT t.id, NULL::text AS token, t.action_type, t.appointment_id, t.patient_id, t.workflow_id, t.metadata,
       t.used_at, t.expires_at, t.created_at
  FROM barnum.whatsapp_action_tokens t;

CREATE OR REPLACE FUNCTION public.generate_action_token(
  p_action_type text,
  p_appointment_id uuid,
  p_patient_id uuid,
  p_workflow_id uuid DEFAULT NULL,
  p_metadata jsonb DEFAULT NULL,
  p_expires_in_days integer DEFAULT 7
) RETURNS text
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, barnum
AS $$
  SELECT barnum.generate_action_token(p_action_type, p_appointment_id, p_patient_id, p_workflow_id, p_metadata, p_expires_in_days)
$$;

CREATE OR REPLACE FUNCTION public.validate_action_token(p_token text)
RETURNS TABLE (valid boolean, appointment_id uuid, patient_id uuid, action_type text, metadata jsonb, error_message text)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, barnum
AS $$
  SELECT v.valid, v.appointment_id, v.patient_id, v.action_type, v.metadata, v.error_message
    FROM barnum.validate_action_token(p_token) v
$$;

CREATE OR REPLACE FUNCTION public.mark_token_used(p_token text) RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, barnum
AS $$
  SELECT barnum.mark_token_used(p_token)
$$;

CREATE OR REPLACE FUNCTION public.create_whatsapp_event(
  p_event_type text,
  p_entity_type text,
  p_entity_id uuid,
  p_workflow_id uuid DEFAULT NULL,
  p_scheduled_for timestamptz DEFAULT now()
) RETURNS uuid
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, barnum
AS $$
  SELECT barnum.create_whatsapp_event(p_event_type, p_entity_type, p_entity_id, p_workflow_id, p_scheduled_for)
$$;

-- The seed's names in public answer only its server key: anon and authenticated (Supabase's
-- browser keys) lose what PUBLIC and Supabase's default privileges gave them.
DO $$
DECLARE
  v_object text;
  v_role text;
BEGIN
  FOREACH v_object IN ARRAY ARRAY['TABLE public.whatsapp_workflows', 'TABLE public.whatsapp_events',
                                  'TABLE public.whatsapp_action_tokens',
                                  'FUNCTION public.generate_action_token(text, uuid, uuid, uuid, jsonb, integer)',
                                  'FUNCTION public.validate_action_token(text)', 'FUNCTION public.mark_token_used(text)',
                                  'FUNCTION public.create_whatsapp_event(text, text, uuid, uuid, timestamptz)'] LOOP
    EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', v_object);
    FOREACH v_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
      IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v_role) THEN
        EXECUTE format('REVOKE ALL ON %s FROM %I', v_object, v_role);
      END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'service_role') THEN
      EXECUTE format('GRANT %s ON %s TO service_role',
                     CASE WHEN v_object LIKE 'TABLE%' THEN 'SELECT, INSERT, UPDATE, DELETE' ELSE 'EXECUTE' END, v_object);
    END IF;
  END LOOP;
END
$$;

-- The contract: the seed keeps a date and a time without a timezone; Barnum places them in the
-- business's timezone (barnum_settings.timezone).
CREATE OR REPLACE VIEW barnum.specialties AS
SELECT s.id, s.name::text FROM public.specialties s;

CREATE OR REPLACE VIEW barnum.professionals AS
SELECT p.id, p.name::text, NULL::uuid AS specialty_id FROM public.professionals p;

CREATE OR REPLACE VIEW barnum.patients AS
SELECT p.id, p.name::text, p.phone::text, NULL::text AS email, NULL::text AS locale FROM public.patients p;

CREATE OR REPLACE VIEW barnum.appointments AS
SELECT a.id, a.patient_id, a.professional_id, a.specialty_id, barnum.local_instant(a.date, a.time) AS starts_at,
       NULL::integer AS duration_minutes, a.status::text AS status, NULL::uuid AS location_id
  FROM public.appointments a;

CREATE OR REPLACE FUNCTION barnum.contract_set_status(p_appointment_id uuid, p_status text, p_reason text) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, public
AS $$
  UPDATE public.appointments a SET status = p_status WHERE a.id = p_appointment_id
$$;

CREATE OR REPLACE FUNCTION barnum.contract_reschedule(p_appointment_id uuid, p_starts_at timestamptz) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, public
AS $$
  UPDATE public.appointments a
     SET date = (p_starts_at AT TIME ZONE s.timezone)::date, time = (p_starts_at AT TIME ZONE s.timezone)::time,
         status = 'scheduled'
    FROM barnum.barnum_settings s
   WHERE a.id = p_appointment_id
$$;

SELECT barnum.attach_appointments('public.appointments');
