-- Marks leased events as sent: $1 event ids, $2 WhatsApp message ids (same order; NULL where none).
-- Idempotent; see barnum_ack_events (sql/migrations/011) for the outcomes.
SELECT * FROM barnum.barnum_ack_events($1::uuid[], $2::text[])
