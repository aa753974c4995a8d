-- A source that gives a moved appointment a new id (Cal.com's rescheduled booking has a uid of its
-- own, and names the old one): the row keyed by the old id ($2) takes the new one ($3), unless a row
-- already has it, so the upsert that follows moves that appointment rather than creating another.
UPDATE barnum_clinic.appointments a
   SET external_id = $3::text
 WHERE a.source = $1::text AND a.external_id = $2::text
   AND NOT EXISTS (SELECT 1 FROM barnum_clinic.appointments b WHERE b.source = $1::text AND b.external_id = $3::text)
