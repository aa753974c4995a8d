-- A location's id by its external id.
SELECT l.id FROM barnum.locations l WHERE l.external_id = $1::text
