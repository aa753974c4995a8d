-- Records something that needs a person, once per source key ($3): a repeat (Meta delivering a
-- webhook again, an n8n retry, a second press) records nothing and returns no row. The patient
-- and location come from appointment $4 when there is one. $1 kind, $2 channel, $5 patient, $6
-- the sender's number (kept only when no patient has it), $7 detail, $8 event id, $9 event type.
INSERT INTO barnum.attention_items (kind, channel, source_key, appointment_id, patient_id, location_id, phone, detail, event_id, event_type)
SELECT $1, $2, $3, $4::uuid, coalesce(a.patient_id, $5::uuid), a.location_id,
       CASE WHEN coalesce(a.patient_id, $5::uuid) IS NULL THEN $6 END, $7, $8::uuid, $9
  FROM (SELECT 1) one
  LEFT JOIN barnum.appointments a ON a.id = $4::uuid
ON CONFLICT (source_key) DO NOTHING
RETURNING id
