-- The demo patient "try it" books for: name, phone, and whether they opted out of WhatsApp.
SELECT name, phone, whatsapp_opted_out_at IS NOT NULL AS opted_out
FROM barnum_clinic.patients
WHERE id = 'd0000000-0000-4000-8000-000000000201'
