-- CORA-MIGRATE: lock_timeout=1s
CREATE TABLE t (id int);
