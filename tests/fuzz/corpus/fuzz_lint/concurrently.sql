-- cora-migrate: transaction=false lock_timeout=30s
-- cora-migrate: statement_timeout=10min
CREATE INDEX CONCURRENTLY i ON t (a) WHERE b IS NULL;
REINDEX (CONCURRENTLY) INDEX i;
