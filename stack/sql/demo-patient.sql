-- The demo patient "try it" books for: name, phone, and whether they opted out of WhatsApp.
SELECT p.name, p.phone, c.whatsapp_opted_out_at IS NOT NULL AS opted_out
FROM barnum_clinic.patients p
LEFT JOIN barnum.contact_preferences c ON c.patient_id = p.id
WHERE p.id = 'd0000000-0000-4000-8000-000000000201'
