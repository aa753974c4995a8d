-- The demo patient's phone, when BARNUM_DEMO_PHONE names your own WhatsApp number ($1, E.164).
UPDATE barnum_clinic.patients SET phone = $1 WHERE id = 'd0000000-0000-4000-8000-000000000201' AND phone IS DISTINCT FROM $1
