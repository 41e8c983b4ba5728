-- 000-default-privileges: what the API roles may do with objects that later migrations create
-- in schema public. authenticated gets CRUD on tables (rows are still filtered by RLS), usage
-- of sequences and EXECUTE on functions; service_role gets everything; anon gets nothing.
--
-- Default privileges apply to objects created by the role running this file, so every
-- migration must run as that same role. PostgreSQL also grants EXECUTE on every new function
-- to PUBLIC regardless of these settings; migrations that define privileged functions revoke
-- it from PUBLIC and anon themselves.

GRANT USAGE ON SCHEMA public TO authenticated, service_role;

ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO authenticated;

ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON TABLES TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON SEQUENCES TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON FUNCTIONS TO service_role;
