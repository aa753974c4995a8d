-- Records that actor $3 read fields $2 of guest $1 (changes are recorded by a trigger).
INSERT INTO barnum.guest_audit_log (guest_id, action, fields, actor, context)
VALUES ($1, 'read', $2::text[], $3, $4::jsonb)
