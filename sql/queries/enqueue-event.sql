-- Enqueues a custom event through the seed's create_whatsapp_event. NULL id: the dedupe key was used.
SELECT barnum.create_whatsapp_event($1, $2, $3::uuid, $4::uuid, coalesce($5::timestamptz, now()), coalesce($6::jsonb, '{}'::jsonb),
                             $7::integer, $8, coalesce($9::boolean, true)) AS id
