-- cora-migrate: lock_timeout=0 ignore=drop_table reason="empty"
DROP TABLE a;
-- cora-migrate: ignore=drop_column reason="unused"
ALTER TABLE b DROP COLUMN c;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT count(*) FROM b $$;
ALTER TABLE b RENAME TO b2;
