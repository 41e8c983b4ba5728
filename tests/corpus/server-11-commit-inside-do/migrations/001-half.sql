CREATE TABLE half (id int);
DO $$ BEGIN COMMIT; END $$;
