-- Action links point at the companion server this stack runs ($1).
UPDATE barnum.barnum_settings SET public_base_url = $1 WHERE public_base_url IS DISTINCT FROM $1
