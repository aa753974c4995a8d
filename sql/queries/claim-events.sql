-- Acks the events in $5 (finished since this consumer's last claim; NULL for none), then claims up
-- to $2 due events for consumer $4 with a lease of $3 seconds, optionally only of the event types
-- in $1, expired leases first unless $6 is false: defers for quiet hours, re-checks, skips and
-- leases, all in one round trip and one transaction. The work lives in barnum_claim_events (sql/migrations/011 to 013), where its
-- statements are planned once per connection. Each row carries the entity's part of its message;
-- core/outbox/message.ts adds the envelope.
SELECT * FROM barnum.barnum_claim_events($1::text[], $2::integer, $3::double precision, $4::text, $5::uuid[], $6::boolean)
