-- Sets an appointment's status through the contract and returns it as it now is.
SELECT * FROM barnum.barnum_set_appointment_status($1::uuid, $2::text, $3::text)
