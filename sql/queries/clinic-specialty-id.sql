-- A specialty's id by the source system's key.
SELECT s.id FROM barnum_clinic.specialties s WHERE s.source = $1::text AND s.external_id = $2::text
