ALTER TABLE items DROP COLUMN "Name", DROP IF EXISTS size;
ALTER TABLE items ADD COLUMN id uuid DEFAULT gen_random_uuid(), ADD COLUMN n int NOT NULL;
CREATE INDEX items_n ON items (n);
DROP TABLE old_items;
