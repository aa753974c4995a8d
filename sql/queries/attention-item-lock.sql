-- Locks item $1 while a press handles it.
SELECT i.id, i.handled_at FROM barnum.attention_items i WHERE i.id = $1::uuid FOR UPDATE
