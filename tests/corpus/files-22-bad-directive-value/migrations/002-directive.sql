-- about this file
-- cora-migrate: lock_timeout=forever
SELECT 1;
