-- cora-migrate: statement_timeout=100ms
SELECT pg_sleep(5);
