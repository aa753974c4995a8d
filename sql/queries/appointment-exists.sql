-- Whether appointment $1 exists: an answer recorded on none of its records must still name a real appointment.
SELECT 1 FROM barnum.appointments WHERE id = $1
