SELECT p.id FROM barnum.patients p WHERE p.id = $1
