-- Has the demo data been added to this database already (the first demo specialty exists)?
SELECT EXISTS (SELECT 1 FROM barnum_clinic.specialties WHERE id = 'd0000000-0000-4000-8000-000000000001') AS seeded
