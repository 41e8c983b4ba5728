--cora-migrate: transaction=false
CREATE INDEX CONCURRENTLY IF NOT EXISTS x ON pg_catalog.pg_class (relname);
