-- Supabase compatibility layer for cora-migrate's local PostgreSQL cluster.
--
-- Gives a plain PostgreSQL 15 database the shape of a Supabase project as far as migrations can
-- tell: who owns what, and what the role migrations run as (`postgres`, not a superuser there)
-- may and may not do. A file that fails on a project with "must be owner of table users" or
-- "permission denied to create extension" fails here the same way, with the same SQLSTATE.
--
-- Run by the cluster's superuser `supabase_admin` (initdb's bootstrap user, as on Supabase) in
-- template1 and postgres; the tool itself connects as `postgres`.
--
-- Where the facts come from (github.com/supabase/postgres unless said otherwise):
--   [init]    migrations/db/init-scripts/00000000000000-initial-schema.sql: the API roles, the
--             extensions schema with uuid-ossp and pgcrypto, the default privileges in public
--   [auth]    migrations/db/init-scripts/00000000000001-auth-schema.sql: auth.users and its owner
--   [storage] migrations/db/init-scripts/00000000000002-storage-schema.sql: the storage schema,
--             its admin role and default privileges (the tables are made by the storage API)
--   [demote]  migrations/db/migrations/10000000000000_demote-postgres.sql: postgres's attributes
--   [revoke]  migrations/db/migrations/20250421084701_revoke_admin_roles_from_postgres.sql:
--             postgres is no member of the platform's admin roles and may not create in auth,
--             storage or realtime
--   [owner]   migrations/db/migrations/20211124212715_update-auth-owner.sql: auth functions'
--             owner
--   [supautils] ansible/files/postgresql_config/supautils.conf.j2: the extensions postgres may
--             create (supautils.privileged_extensions), created as supabase_admin
--   Reported failures this reproduces: supabase/cli issues 96 and 4114 (storage.objects),
--   6116 (realtime.messages), supabase/supabase issue 41126 (policies on storage.objects).
--
-- This is NOT a full Supabase: there is no GoTrue, PostgREST, storage API, realtime server or
-- JWT verification, and only the columns migrations commonly reference. A request is simulated
-- by hand:
--   BEGIN;
--   SET LOCAL ROLE authenticated;
--   SELECT set_config('request.jwt.claims', '{"sub":"<uuid>","role":"authenticated"}', true);
--   ...
--   ROLLBACK;
--
-- Safe to run any number of times, in one transaction, in several databases of the same
-- cluster (roles are cluster-wide, so they are created only when missing).

-- Roles ------------------------------------------------------------------------------------
-- Attributes are set every time, so that a role made by an earlier version gets them too.

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            -- [demote]: the role migrations run as; no superuser.
            ('postgres', 'LOGIN NOSUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS INHERIT'),
            -- [init]: the Data API's roles; BYPASSRLS is why "the service role bypasses RLS".
            ('anon', 'NOLOGIN NOINHERIT'),
            ('authenticated', 'NOLOGIN NOINHERIT'),
            ('service_role', 'NOLOGIN NOINHERIT BYPASSRLS'),
            -- [init]: the role PostgREST logs in as; it switches to one of the three per request.
            ('authenticator', 'LOGIN NOINHERIT'),
            -- [auth], [storage] and the realtime server's own role: the owners of their schemas'
            -- tables.
            ('supabase_auth_admin', 'LOGIN NOINHERIT CREATEROLE NOREPLICATION'),
            ('supabase_storage_admin', 'LOGIN NOINHERIT CREATEROLE NOREPLICATION'),
            ('supabase_realtime_admin', 'NOLOGIN NOINHERIT NOREPLICATION')
        ) AS roles(name, attributes)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I %s', r.name, r.attributes);
        ELSE
            EXECUTE pg_catalog.format('ALTER ROLE %I %s', r.name, r.attributes);
        END IF;
    END LOOP;
END
$$;

-- [init]: postgres reaches extensions' functions through its search_path.
ALTER ROLE postgres SET search_path = "$user", public, extensions;

-- Memberships: authenticator may become each API role [init]; postgres too, so that it can
-- test its policies with SET ROLE. [revoke]: postgres is no member of the admin roles (a
-- cluster made by an earlier layer is corrected).
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        IF NOT pg_catalog.pg_has_role('authenticator', r, 'MEMBER') THEN
            EXECUTE pg_catalog.format('GRANT %I TO authenticator', r);
        END IF;
        IF NOT pg_catalog.pg_has_role('postgres', r, 'MEMBER') THEN
            EXECUTE pg_catalog.format('GRANT %I TO postgres', r);
        END IF;
    END LOOP;
    FOREACH r IN ARRAY ARRAY['supabase_auth_admin', 'supabase_storage_admin', 'supabase_realtime_admin'] LOOP
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                   WHERE m.roleid = pg_catalog.to_regrole(r) AND m.member = pg_catalog.to_regrole('postgres')) THEN
            EXECUTE pg_catalog.format('REVOKE %I FROM postgres', r);
        END IF;
    END LOOP;
END
$$;

-- This database and its public schema: postgres creates the migrations' objects there [demote].
DO $$
BEGIN
    EXECUTE pg_catalog.format('GRANT ALL ON DATABASE %I TO postgres', pg_catalog.current_database());
END
$$;
GRANT ALL ON SCHEMA public TO postgres;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;

-- extensions: where Supabase installs extensions [init] -----------------------------------------

CREATE SCHEMA IF NOT EXISTS extensions;
GRANT ALL ON SCHEMA extensions TO postgres;
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;

-- auth ([auth], owners from [owner]) -----------------------------------------------------------

CREATE SCHEMA IF NOT EXISTS auth;
ALTER SCHEMA auth OWNER TO supabase_admin;
GRANT USAGE ON SCHEMA auth TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA auth TO supabase_auth_admin;
REVOKE CREATE ON SCHEMA auth FROM postgres;

-- The columns of GoTrue's users table that application code tends to read, and those of its
-- first version. Owned by supabase_auth_admin: postgres may not alter it, comment on it or put
-- a trigger on it.
CREATE TABLE IF NOT EXISTS auth.users (
    instance_id         uuid,
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    aud                 varchar(255),
    role                varchar(255),
    email               text,
    encrypted_password  text,
    email_confirmed_at  timestamptz,
    invited_at          timestamptz,
    phone               text,
    phone_confirmed_at  timestamptz,
    last_sign_in_at     timestamptz,
    raw_app_meta_data   jsonb NOT NULL DEFAULT '{}'::jsonb,
    raw_user_meta_data  jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_super_admin      boolean,
    banned_until        timestamptz,
    is_sso_user         boolean NOT NULL DEFAULT false,
    is_anonymous        boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz
);

CREATE INDEX IF NOT EXISTS users_email_idx ON auth.users (email);
CREATE INDEX IF NOT EXISTS users_instance_id_idx ON auth.users (instance_id);

-- JWT helpers --------------------------------------------------------------------------------
-- Claims come from the transaction setting request.jwt.claims (JSON), as PostgREST sets it;
-- older PostgREST versions set one setting per claim (request.jwt.claim.sub, ...), which is
-- the fallback. An unset or empty setting reads as NULL.

CREATE OR REPLACE FUNCTION auth.jwt()
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claims', true), ''),
        nullif(current_setting('request.jwt.claim', true), '')
    )::jsonb
$$;

CREATE OR REPLACE FUNCTION auth.uid()
RETURNS uuid
LANGUAGE sql
STABLE
AS $$
    SELECT coalesce(
        nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', ''),
        nullif(current_setting('request.jwt.claim.sub', true), '')
    )::uuid
$$;

CREATE OR REPLACE FUNCTION auth.role()
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT coalesce(
        nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role', ''),
        nullif(current_setting('request.jwt.claim.role', true), '')
    )::text
$$;

CREATE OR REPLACE FUNCTION auth.email()
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT coalesce(
        nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email', ''),
        nullif(current_setting('request.jwt.claim.email', true), '')
    )::text
$$;

ALTER TABLE auth.users OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.jwt() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;

GRANT EXECUTE ON FUNCTION auth.jwt(), auth.uid(), auth.role(), auth.email()
    TO postgres, anon, authenticated, service_role;
-- [demote]: postgres reads and writes auth's tables (for foreign keys and triggers of its own
-- tables) without owning them.
GRANT ALL ON TABLE auth.users TO postgres, service_role;

-- storage ([storage]; the tables' shape is the storage API's) ----------------------------------

CREATE SCHEMA IF NOT EXISTS storage;
ALTER SCHEMA storage OWNER TO supabase_admin;
GRANT USAGE ON SCHEMA storage TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA storage TO supabase_storage_admin WITH GRANT OPTION;
REVOKE CREATE ON SCHEMA storage FROM postgres;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_storage_admin IN SCHEMA storage
    GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_storage_admin IN SCHEMA storage
    GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_storage_admin IN SCHEMA storage
    GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;

SET LOCAL ROLE supabase_storage_admin;

CREATE TABLE IF NOT EXISTS storage.buckets (
    id                  text PRIMARY KEY,
    name                text NOT NULL,
    owner               uuid,
    public              boolean DEFAULT false,
    file_size_limit     bigint,
    allowed_mime_types  text[],
    created_at          timestamptz DEFAULT now(),
    updated_at          timestamptz DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name);

CREATE TABLE IF NOT EXISTS storage.objects (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    bucket_id           text REFERENCES storage.buckets (id),
    name                text,
    owner               uuid,
    owner_id            text,
    metadata            jsonb,
    path_tokens         text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
    version             text,
    created_at          timestamptz DEFAULT now(),
    updated_at          timestamptz DEFAULT now(),
    last_accessed_at    timestamptz DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects (bucket_id, name);

-- The folders of a bucket, kept by the storage API's triggers (cli issues 3549, 3604: a dump's
-- statements on it fail with "must be owner of relation prefixes").
CREATE TABLE IF NOT EXISTS storage.prefixes (
    bucket_id   text NOT NULL REFERENCES storage.buckets (id),
    name        text NOT NULL,
    level       integer GENERATED ALWAYS AS (pg_catalog.array_length(pg_catalog.string_to_array(name, '/'), 1)) STORED,
    created_at  timestamptz DEFAULT now(),
    updated_at  timestamptz DEFAULT now(),
    PRIMARY KEY (bucket_id, level, name)
);
-- The storage API turns row level security on; a migration's ENABLE fails (cli issue 4114).
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.prefixes ENABLE ROW LEVEL SECURITY;

-- The path helpers storage policies use: (storage.foldername(name))[1] = auth.uid()::text.
CREATE OR REPLACE FUNCTION storage.foldername(name text)
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT (pg_catalog.string_to_array(name, '/'))[1:pg_catalog.array_length(pg_catalog.string_to_array(name, '/'), 1) - 1]
$$;

CREATE OR REPLACE FUNCTION storage.filename(name text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT (pg_catalog.string_to_array(name, '/'))[pg_catalog.array_length(pg_catalog.string_to_array(name, '/'), 1)]
$$;

CREATE OR REPLACE FUNCTION storage.extension(name text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT pg_catalog.split_part(storage.filename(name), '.', -1)
$$;

RESET ROLE;

-- realtime (owned by the realtime server's role; messages carry Realtime Authorization's
-- policies, cli issue 6116) --------------------------------------------------------------------

CREATE SCHEMA IF NOT EXISTS realtime;
ALTER SCHEMA realtime OWNER TO supabase_admin;
GRANT USAGE ON SCHEMA realtime TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA realtime TO supabase_realtime_admin;
REVOKE CREATE ON SCHEMA realtime FROM postgres;

CREATE TABLE IF NOT EXISTS realtime.messages (
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    topic       text NOT NULL,
    extension   text NOT NULL,
    payload     jsonb,
    event       text,
    private     boolean DEFAULT false,
    updated_at  timestamp NOT NULL DEFAULT now(),
    inserted_at timestamp NOT NULL DEFAULT now(),
    PRIMARY KEY (id, inserted_at)
);
ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY;

-- The topic of the channel a Realtime Authorization policy is asked about.
CREATE OR REPLACE FUNCTION realtime.topic()
RETURNS text
LANGUAGE sql
STABLE
AS $$
    SELECT nullif(current_setting('realtime.topic', true), '')::text
$$;

ALTER TABLE realtime.messages OWNER TO supabase_realtime_admin;
ALTER FUNCTION realtime.topic() OWNER TO supabase_realtime_admin;
GRANT SELECT, INSERT, UPDATE ON TABLE realtime.messages TO postgres, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION realtime.topic() TO postgres, anon, authenticated, service_role;

-- Default privileges in public [init] ---------------------------------------------------------
-- Whatever postgres (or supabase_admin) creates in public later (the migrations' tables, views,
-- sequences and functions) is granted to the three API roles, and the migrations revoke what a
-- role must not have (`REVOKE ALL ON TABLE ... FROM anon`). Without this, a schema built here
-- would lack grants a real project has, and `diff` against one would report them. Supabase
-- also grants what supabase_admin creates to postgres; that is left out, so that files run as
-- the superuser leave the grants a run as postgres leaves (diff compares grants, not owners).
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
    GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
    GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
    GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public
    GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public
    GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public
    GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;

-- Extensions postgres may create ([supautils]) --------------------------------------------------
-- On Supabase the supautils library lets postgres run CREATE EXTENSION for the extensions in
-- supautils.privileged_extensions, as supabase_admin. Without that library, cora-migrate runs
-- such a statement (and only such a statement) through cora_compat.create_extension, a
-- SECURITY DEFINER function of supabase_admin that refuses any other extension; verbose output
-- says so. Any other CREATE EXTENSION runs as postgres and fails unless PostgreSQL itself
-- trusts the extension, as on Supabase. Differences from supautils: the list is this table,
-- not a server setting; a DROP or ALTER EXTENSION of such an extension runs as postgres.

CREATE SCHEMA IF NOT EXISTS cora_compat;
REVOKE ALL ON SCHEMA cora_compat FROM PUBLIC;
GRANT USAGE ON SCHEMA cora_compat TO postgres;

CREATE TABLE IF NOT EXISTS cora_compat.privileged_extensions (name text PRIMARY KEY);
REVOKE ALL ON TABLE cora_compat.privileged_extensions FROM PUBLIC;
GRANT SELECT ON TABLE cora_compat.privileged_extensions TO postgres;
DELETE FROM cora_compat.privileged_extensions;
INSERT INTO cora_compat.privileged_extensions (name)
SELECT pg_catalog.unnest(ARRAY[
    'address_standardizer', 'address_standardizer_data_us', 'autoinc', 'bloom', 'btree_gin', 'btree_gist',
    'citext', 'cube', 'dblink', 'dict_int', 'dict_xsyn', 'earthdistance', 'fuzzystrmatch', 'hstore', 'http',
    'insert_username', 'intarray', 'isn', 'ltree', 'moddatetime', 'pg_cron', 'pg_graphql', 'pg_hashids',
    'pg_jsonschema', 'pg_net', 'pg_stat_monitor', 'pg_stat_statements', 'pg_trgm', 'pg_walinspect', 'pgaudit',
    'pgcrypto', 'pgjwt', 'pgroonga', 'pgroonga_database', 'pgrouting', 'pgrowlocks', 'pgsodium', 'pgtap',
    'plcoffee', 'pljava', 'plls', 'plpgsql', 'plpgsql_check', 'plv8', 'postgis', 'postgis_raster',
    'postgis_sfcgal', 'postgis_tiger_geocoder', 'postgis_topology', 'postgres_fdw', 'refint', 'rum', 'seg',
    'sslinfo', 'supabase_vault', 'supautils', 'tablefunc', 'tcn', 'timescaledb', 'tsm_system_rows',
    'tsm_system_time', 'unaccent', 'uuid-ossp', 'wrappers'
]);

-- `target_schema` NULL: the first schema of the caller's search_path, as CREATE EXTENSION
-- without SCHEMA (the function sets no search_path of its own, so it inherits the caller's;
-- every name in its body is qualified). A VERSION is refused, as Supabase's before-create
-- script refuses it to anyone but an administrator.
CREATE OR REPLACE FUNCTION cora_compat.create_extension(
    extension_name text, target_schema text, if_not_exists boolean, with_cascade boolean, requested_version text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM cora_compat.privileged_extensions p WHERE p.name OPERATOR(pg_catalog.=) extension_name) THEN
        RAISE EXCEPTION 'permission denied to create extension "%"', extension_name
            USING ERRCODE = '42501', HINT = 'Must be superuser to create this extension.';
    END IF;
    IF requested_version IS NOT NULL THEN
        RAISE EXCEPTION 'Only administrators can specify VERSION when creating extensions. Please use: CREATE EXTENSION % WITH SCHEMA %;',
            extension_name, coalesce(target_schema, 'extensions') USING ERRCODE = '42501';
    END IF;
    RAISE NOTICE 'CREATE EXTENSION % ran as supabase_admin: it is allow-listed (supautils.privileged_extensions on Supabase)',
        extension_name;
    EXECUTE pg_catalog.concat('CREATE EXTENSION ',
                              CASE WHEN if_not_exists THEN 'IF NOT EXISTS ' END,
                              pg_catalog.quote_ident(extension_name),
                              CASE WHEN target_schema IS NOT NULL THEN ' SCHEMA ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(target_schema) END,
                              CASE WHEN with_cascade THEN ' CASCADE' END);
END
$$;
ALTER FUNCTION cora_compat.create_extension(text, text, boolean, boolean, text) OWNER TO supabase_admin;
REVOKE ALL ON FUNCTION cora_compat.create_extension(text, text, boolean, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cora_compat.create_extension(text, text, boolean, boolean, text) TO postgres;
