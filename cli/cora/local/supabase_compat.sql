-- Supabase compatibility layer for cora-migrate's local PostgreSQL cluster.
--
-- Gives a plain PostgreSQL 15 database the few pieces of a Supabase project that the
-- module-access migrations rely on: the API roles (anon, authenticated, service_role,
-- authenticator), an auth.users table, the auth.uid()/role()/email()/jwt() helpers that read
-- the request's JWT claims, and Supabase-like grants. With it, migrations and RLS policies
-- can be applied and exercised locally before they go near a real project.
--
-- This is NOT a full Supabase: there is no GoTrue, PostgREST, storage, realtime or JWT
-- verification. A request is simulated by hand:
--   BEGIN;
--   SET LOCAL ROLE authenticated;
--   SELECT set_config('request.jwt.claims', '{"sub":"<uuid>","role":"authenticated"}', true);
--   ...
--   ROLLBACK;
--
-- Safe to run any number of times, in one transaction, in several databases of the same
-- cluster (roles are cluster-wide, so they are created only when missing).

-- Roles ------------------------------------------------------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN NOINHERIT;
    END IF;
    -- BYPASSRLS is why Supabase says "the service role bypasses RLS".
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
    END IF;
    -- The role PostgREST logs in as; it switches to one of the three per request.
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator LOGIN NOINHERIT;
    END IF;
END
$$;

-- Re-granting an existing membership only raises a notice, but skip it to keep output quiet.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        IF NOT pg_catalog.pg_has_role('authenticator', r, 'MEMBER') THEN
            EXECUTE pg_catalog.format('GRANT %I TO authenticator', r);
        END IF;
    END LOOP;
END
$$;

-- auth schema and users ----------------------------------------------------------------------

CREATE SCHEMA IF NOT EXISTS auth;

-- A subset of Supabase's auth.users: enough for foreign keys, lookups by email and the
-- metadata columns application code tends to read.
CREATE TABLE IF NOT EXISTS auth.users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    aud                 varchar(255),
    role                varchar(255),
    email               text,
    encrypted_password  text,
    email_confirmed_at  timestamptz,
    phone               text,
    last_sign_in_at     timestamptz,
    raw_app_meta_data   jsonb NOT NULL DEFAULT '{}'::jsonb,
    raw_user_meta_data  jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_sso_user         boolean NOT NULL DEFAULT false,
    is_anonymous        boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz
);

CREATE INDEX IF NOT EXISTS users_email_idx ON auth.users (email);

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

-- Grants, as on a Supabase project -------------------------------------------------------------

GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;

GRANT EXECUTE ON FUNCTION auth.jwt(), auth.uid(), auth.role(), auth.email()
    TO anon, authenticated, service_role;

GRANT ALL ON TABLE auth.users TO service_role;

-- Default privileges, as on a Supabase project: whatever postgres creates in public later (the
-- migrations' tables, views, sequences and functions) is granted to the three API roles, and the
-- migrations revoke what a role must not have (`REVOKE ALL ON TABLE ... FROM anon`). Without
-- this, a schema built here would lack grants a real project has, and `diff` against one would
-- report them. Supabase also sets them for supabase_admin, a role that does not exist here.
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
    GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
    GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
    GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
