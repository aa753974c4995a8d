-- The local stack's demo data: a dental clinic and a beach hotel, for `npm start`. Idempotent:
-- fixed ids, ON CONFLICT DO NOTHING, so every start runs it and nothing is duplicated or
-- overwritten (a demo patient you edited stays edited). Never run against a real database:
-- the stack runs it only on its embedded database, or when BARNUM_DEMO_DATA=true.

-- Only on the first seed (no demo specialty yet): name the business, and turn quiet hours off so
-- "try it" sends at any hour of the day. Later changes to the settings are left alone.
UPDATE barnum.barnum_settings
SET business_name = 'Clínica Sorriso', quiet_hours_start = NULL, quiet_hours_end = NULL
WHERE NOT EXISTS (SELECT 1 FROM barnum_clinic.specialties WHERE id = 'd0000000-0000-4000-8000-000000000001');

INSERT INTO barnum_clinic.specialties (id, name) VALUES
  ('d0000000-0000-4000-8000-000000000001', 'Medicina Dentária'),
  ('d0000000-0000-4000-8000-000000000002', 'Ortodontia'),
  ('d0000000-0000-4000-8000-000000000003', 'Higiene Oral')
ON CONFLICT (id) DO NOTHING;

INSERT INTO barnum_clinic.professionals (id, name, specialty_id) VALUES
  ('d0000000-0000-4000-8000-000000000101', 'Dra. Maria Santos', 'd0000000-0000-4000-8000-000000000001'),
  ('d0000000-0000-4000-8000-000000000102', 'Dr. Rui Almeida', 'd0000000-0000-4000-8000-000000000002'),
  ('d0000000-0000-4000-8000-000000000103', 'Enf. Sofia Lopes', 'd0000000-0000-4000-8000-000000000003')
ON CONFLICT (id) DO NOTHING;

-- João is the demo patient "try it" books for (his phone shows the message in the sandbox).
INSERT INTO barnum_clinic.patients (id, name, phone, email, locale) VALUES
  ('d0000000-0000-4000-8000-000000000201', 'João Silva', '+351912345678', 'joao.silva@example.com', 'pt-PT'),
  ('d0000000-0000-4000-8000-000000000202', 'Emma Clarke', '+447700900123', 'emma.clarke@example.com', 'en'),
  ('d0000000-0000-4000-8000-000000000203', 'Lucía García', '+34600123456', 'lucia.garcia@example.com', 'es')
ON CONFLICT (id) DO NOTHING;

INSERT INTO barnum.locations (external_id, name, timezone, locale)
VALUES ('praia-azul', 'Hotel Praia Azul', 'Europe/Lisbon', 'pt-PT')
ON CONFLICT (external_id) DO NOTHING;
