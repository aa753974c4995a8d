-- Barnum 016: what needs a person reaches the clinic's team (docs/nodes.md, "Team Item").
--
-- Every patient answer Barnum cannot settle on its own — a reschedule asked for, a cancellation
-- (a freed slot), a free-text reply, a "yes" to a no-show prompt, STOP, a number WhatsApp cannot
-- reach — is one row here, recorded where it happens. source_key makes the record idempotent: a
-- webhook Meta delivers twice, an n8n retry or a second press records nothing new, so the team is
-- never told twice.

CREATE TABLE attention_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL
    CONSTRAINT attention_items_kind_known
    CHECK (kind IN ('reschedule_request', 'cancellation', 'reply', 'no_show_answer', 'opt_out', 'unreachable')),
  -- Where the patient said it: their link, a WhatsApp reply, the seed's /api/webhook, n8n, or
  -- WhatsApp's delivery report.
  channel text NOT NULL
    CONSTRAINT attention_items_channel_known CHECK (channel IN ('link', 'whatsapp', 'callback', 'n8n', 'delivery')),
  source_key text NOT NULL UNIQUE
    CONSTRAINT attention_items_source_key_length CHECK (length(source_key) BETWEEN 1 AND 300),
  appointment_id uuid,
  patient_id uuid,
  location_id uuid REFERENCES locations (id) ON DELETE SET NULL,
  -- The sender's number when no patient has it (a free-text reply from a stranger).
  phone text CONSTRAINT attention_items_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  -- What the patient wrote, the preferred time they gave, or WhatsApp's error.
  detail text CONSTRAINT attention_items_detail_length CHECK (length(detail) <= 2000),
  -- The outbox event whose message could not be delivered (unreachable).
  event_id uuid,
  event_type text,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A notifier holds the item until it says the team was told (mark notified); a crashed one's
  -- hold lapses and the item is told again.
  notice_lease_until timestamptz,
  notified_at timestamptz,
  handled_at timestamptz,
  handled_by text CONSTRAINT attention_items_handled_by_length CHECK (length(handled_by) <= 200),
  handled_via text CONSTRAINT attention_items_handled_via_known CHECK (handled_via IN ('link', 'n8n')),
  CONSTRAINT attention_items_handled_together CHECK ((handled_at IS NULL) = (handled_via IS NULL))
);
SELECT barnum_secure_table('attention_items');

CREATE INDEX attention_items_open ON attention_items (created_at) WHERE handled_at IS NULL;
CREATE INDEX attention_items_appointment ON attention_items (appointment_id);

-- The one-press "handled" links staff receive: random tokens, stored hashed, one per notice (a
-- digest's link keeps working after the next digest is sent). Handling the item spends them all.
CREATE TABLE attention_links (
  token_hash bytea PRIMARY KEY,
  item_id uuid NOT NULL REFERENCES attention_items (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
SELECT barnum_secure_table('attention_links', 'SELECT, INSERT, DELETE');
CREATE INDEX attention_links_item ON attention_links (item_id);

-- One digest per scope (a location, or '' for items without one) per local day: the claim that
-- inserts the row sends it; any other finds it there.
CREATE TABLE attention_digests (
  scope text NOT NULL,
  local_date date NOT NULL,
  items integer NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, local_date)
);
SELECT barnum_secure_table('attention_digests', 'SELECT, INSERT');

-- Where the team is told and when: business-wide here, per location below (a location's own
-- value wins). No address, no webhook and no number: the items are still recorded and listed.
ALTER TABLE barnum_settings
  ADD COLUMN team_email text
    CONSTRAINT barnum_settings_team_email_shape CHECK (team_email ~ '^[^\s,@]+@[^\s,@]+(\s*,\s*[^\s,@]+@[^\s,@]+)*$'),
  ADD COLUMN team_email_from text
    CONSTRAINT barnum_settings_team_email_from_length CHECK (length(team_email_from) BETWEEN 3 AND 200),
  ADD COLUMN team_chat_webhook_url text
    CONSTRAINT barnum_settings_team_chat_webhook_url_http CHECK (team_chat_webhook_url ~ '^https?://[^/\s?#]+(/\S*)?$'),
  ADD COLUMN team_chat_format text NOT NULL DEFAULT 'slack'
    CONSTRAINT barnum_settings_team_chat_format_known CHECK (team_chat_format IN ('slack', 'teams', 'google_chat', 'mattermost')),
  ADD COLUMN team_whatsapp text
    CONSTRAINT barnum_settings_team_whatsapp_e164 CHECK (team_whatsapp ~ '^\+[1-9][0-9]{6,14}$'),
  ADD COLUMN team_notice_mode text NOT NULL DEFAULT 'immediate'
    CONSTRAINT barnum_settings_team_notice_mode_known CHECK (team_notice_mode IN ('immediate', 'digest')),
  ADD COLUMN team_digest_hour integer NOT NULL DEFAULT 8
    CONSTRAINT barnum_settings_team_digest_hour_range CHECK (team_digest_hour BETWEEN 0 AND 23);

ALTER TABLE locations
  ADD COLUMN team_email text
    CONSTRAINT locations_team_email_shape CHECK (team_email ~ '^[^\s,@]+@[^\s,@]+(\s*,\s*[^\s,@]+@[^\s,@]+)*$'),
  ADD COLUMN team_chat_webhook_url text
    CONSTRAINT locations_team_chat_webhook_url_http CHECK (team_chat_webhook_url ~ '^https?://[^/\s?#]+(/\S*)?$'),
  ADD COLUMN team_chat_format text
    CONSTRAINT locations_team_chat_format_known CHECK (team_chat_format IN ('slack', 'teams', 'google_chat', 'mattermost')),
  ADD COLUMN team_whatsapp text
    CONSTRAINT locations_team_whatsapp_e164 CHECK (team_whatsapp ~ '^\+[1-9][0-9]{6,14}$'),
  ADD COLUMN team_notice_mode text
    CONSTRAINT locations_team_notice_mode_known CHECK (team_notice_mode IN ('immediate', 'digest')),
  ADD COLUMN team_digest_hour integer
    CONSTRAINT locations_team_digest_hour_range CHECK (team_digest_hour BETWEEN 0 AND 23);
