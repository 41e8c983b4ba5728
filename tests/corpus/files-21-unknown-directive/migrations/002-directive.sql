-- cora-migrate: transactions=false
CREATE INDEX CONCURRENTLY i ON base (id);
