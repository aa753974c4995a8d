SELECT p.id FROM patients p WHERE p.id = $1
