-- cora-migrate: rerunnable=true
DROP SCHEMA IF EXISTS reporting CASCADE;
CREATE SCHEMA reporting;
CREATE TABLE reporting.daily (day date PRIMARY KEY, total int);
INSERT INTO reporting.daily VALUES ('2026-01-01', 3);
