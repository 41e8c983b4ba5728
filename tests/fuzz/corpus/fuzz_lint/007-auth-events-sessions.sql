-- 007-auth-events-sessions: the audit trail of authentication events (user_auth_log) and
-- session tracking (user_sessions) behind the login and logout endpoints, with the functions
-- those endpoints call: log_auth_event, start_user_session, end_user_session and
-- get_active_sessions. Re-running this file brings a database's copies of those functions up to
-- date, replacing any older version of them.
--
-- Platform admins are users whose user_profiles.global_role is 'platform_owner' or
-- 'platform_admin'; they may read every row. Everyone else reads only their own.

CREATE TABLE IF NOT EXISTS public.user_auth_log (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type     varchar(50) NOT NULL,
    user_email     text,
    user_id        uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    org_id         uuid REFERENCES public.orgs (id) ON DELETE SET NULL,
    ip_address     varchar(45),
    user_agent     text,
    failure_reason text,
    metadata       jsonb DEFAULT '{}'::jsonb,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_auth_log_event_type_check CHECK (event_type IN (
        'login_success',
        'login_failed',
        'logout',
        'session_expired',
        'provisioning_denied',
        'provisioning_invited',
        'provisioning_domain',
        'bootstrap_created',
        'token_refresh',
        'password_reset'
    ))
);

CREATE TABLE IF NOT EXISTS public.user_sessions (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                  uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    org_id                   uuid REFERENCES public.orgs (id) ON DELETE SET NULL,
    started_at               timestamptz NOT NULL DEFAULT now(),
    last_activity_at         timestamptz NOT NULL DEFAULT now(),
    ended_at                 timestamptz,
    -- Seconds from start to end, or to the latest activity while the session is open.
    session_duration_seconds integer GENERATED ALWAYS AS (
        EXTRACT(EPOCH FROM (COALESCE(ended_at, last_activity_at) - started_at))::integer
    ) STORED,
    ip_address               varchar(45),
    user_agent               text,
    metadata                 jsonb DEFAULT '{}'::jsonb
);

CREATE INDEX IF NOT EXISTS idx_user_auth_log_user_id ON public.user_auth_log (user_id);
CREATE INDEX IF NOT EXISTS idx_user_auth_log_email ON public.user_auth_log (user_email);
CREATE INDEX IF NOT EXISTS idx_user_auth_log_type ON public.user_auth_log (event_type);
CREATE INDEX IF NOT EXISTS idx_user_auth_log_occurred_at ON public.user_auth_log (occurred_at DESC);
CREATE INDEX IF NOT EXISTS idx_user_auth_log_org_id ON public.user_auth_log (org_id);
-- Failed attempts per address, for lockout and alerting queries.
CREATE INDEX IF NOT EXISTS idx_user_auth_log_failures
    ON public.user_auth_log (event_type, user_email, occurred_at)
    WHERE event_type IN ('login_failed', 'provisioning_denied');

CREATE INDEX IF NOT EXISTS idx_user_sessions_user_id ON public.user_sessions (user_id);
CREATE INDEX IF NOT EXISTS idx_user_sessions_org_id ON public.user_sessions (org_id);
CREATE INDEX IF NOT EXISTS idx_user_sessions_started_at ON public.user_sessions (started_at DESC);
CREATE INDEX IF NOT EXISTS idx_user_sessions_active
    ON public.user_sessions (user_id, last_activity_at)
    WHERE ended_at IS NULL;

-- Any update to an open session counts as activity. Ending a session leaves
-- last_activity_at alone, so the duration is measured to ended_at.
CREATE OR REPLACE FUNCTION public.update_user_session_activity()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    IF OLD.ended_at IS NULL AND NEW.ended_at IS NULL THEN
        NEW.last_activity_at := now();
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS user_sessions_update_activity ON public.user_sessions;
CREATE TRIGGER user_sessions_update_activity
    BEFORE UPDATE ON public.user_sessions
    FOR EACH ROW EXECUTE FUNCTION public.update_user_session_activity();

-- Functions -----------------------------------------------------------------------------------
-- Earlier hand-applied versions of these functions may differ in argument names, types,
-- defaults or result. CREATE OR REPLACE would then either fail or add a second overload
-- beside the stale one (which callers could still reach), so drop every version that is not
-- exactly the one defined below first.
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT p.oid::pg_catalog.regprocedure AS signature
        FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = 'public'::pg_catalog.regnamespace
          AND p.proname IN ('log_auth_event', 'start_user_session', 'end_user_session',
                            'get_active_sessions')
          AND (p.proname::text,
               pg_catalog.pg_get_function_arguments(p.oid),
               pg_catalog.pg_get_function_result(p.oid)) NOT IN (
              ('log_auth_event',
               'p_event_type text, p_user_email text DEFAULT NULL::text, '
               'p_user_id uuid DEFAULT NULL::uuid, p_org_id uuid DEFAULT NULL::uuid, '
               'p_ip_address text DEFAULT NULL::text, p_user_agent text DEFAULT NULL::text, '
               'p_failure_reason text DEFAULT NULL::text, '
               'p_metadata jsonb DEFAULT ''{}''::jsonb',
               'uuid'),
              ('start_user_session',
               'p_user_id uuid, p_org_id uuid DEFAULT NULL::uuid, '
               'p_ip_address text DEFAULT NULL::text, p_user_agent text DEFAULT NULL::text, '
               'p_metadata jsonb DEFAULT ''{}''::jsonb',
               'uuid'),
              ('end_user_session', 'p_session_id uuid', 'boolean'),
              ('get_active_sessions',
               'p_user_id uuid',
               'TABLE(session_id uuid, org_id uuid, started_at timestamp with time zone, '
               'last_activity_at timestamp with time zone, duration_minutes integer, '
               'ip_address character varying, user_agent text, metadata jsonb)'))
    LOOP
        RAISE NOTICE 'dropping outdated function %', f.signature;
        EXECUTE pg_catalog.format('DROP FUNCTION %s', f.signature);
    END LOOP;
END
$$;

-- Records one authentication event; returns its id. Called by the backend for logins,
-- logouts, provisioning decisions and failures (including failures with no known user).
CREATE OR REPLACE FUNCTION public.log_auth_event(
    p_event_type     text,
    p_user_email     text DEFAULT NULL,
    p_user_id        uuid DEFAULT NULL,
    p_org_id         uuid DEFAULT NULL,
    p_ip_address     text DEFAULT NULL,
    p_user_agent     text DEFAULT NULL,
    p_failure_reason text DEFAULT NULL,
    p_metadata       jsonb DEFAULT '{}'::jsonb
)
RETURNS uuid
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_id uuid;
BEGIN
    INSERT INTO public.user_auth_log (
        event_type, user_email, user_id, org_id,
        ip_address, user_agent, failure_reason, metadata
    )
    VALUES (
        p_event_type, p_user_email, p_user_id, p_org_id,
        p_ip_address, p_user_agent, p_failure_reason, COALESCE(p_metadata, '{}'::jsonb)
    )
    RETURNING id INTO v_id;

    RETURN v_id;
END;
$$;

-- Opens a session for the user; returns its id.
CREATE OR REPLACE FUNCTION public.start_user_session(
    p_user_id    uuid,
    p_org_id     uuid DEFAULT NULL,
    p_ip_address text DEFAULT NULL,
    p_user_agent text DEFAULT NULL,
    p_metadata   jsonb DEFAULT '{}'::jsonb
)
RETURNS uuid
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_id uuid;
BEGIN
    INSERT INTO public.user_sessions (user_id, org_id, ip_address, user_agent, metadata)
    VALUES (p_user_id, p_org_id, p_ip_address, p_user_agent, COALESCE(p_metadata, '{}'::jsonb))
    RETURNING id INTO v_id;

    RETURN v_id;
END;
$$;

-- Ends a session that is still open. Returns true if it did, false if the session does not
-- exist, has already ended, or belongs to someone else (see "callers" below).
--
-- Callers: a request carrying an end user's id (auth.uid()), or made as the authenticated role,
-- acts only on that user's sessions unless the user is a platform admin. The backend
-- (service_role, or a direct connection with no JWT) may act on any session.
CREATE OR REPLACE FUNCTION public.end_user_session(p_session_id uuid)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    UPDATE public.user_sessions s
    SET ended_at = now()
    WHERE s.id = p_session_id
      AND s.ended_at IS NULL
      AND (
          (auth.uid() IS NULL
           AND current_setting('role') IS DISTINCT FROM 'authenticated')
          OR s.user_id = auth.uid()
          OR EXISTS (
              SELECT 1
              FROM public.user_profiles p
              WHERE p.user_id = auth.uid()
                AND p.global_role IN ('platform_owner', 'platform_admin')
          )
      );

    RETURN FOUND;
END;
$$;

-- The user's open sessions, newest first, with how long each has been open in whole minutes.
-- Same callers rule as end_user_session.
CREATE OR REPLACE FUNCTION public.get_active_sessions(p_user_id uuid)
RETURNS TABLE (
    session_id       uuid,
    org_id           uuid,
    started_at       timestamptz,
    last_activity_at timestamptz,
    duration_minutes integer,
    ip_address       varchar,
    user_agent       text,
    metadata         jsonb
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
    SELECT s.id,
           s.org_id,
           s.started_at,
           s.last_activity_at,
           (EXTRACT(EPOCH FROM (now() - s.started_at)) / 60)::integer,
           s.ip_address,
           s.user_agent,
           s.metadata
    FROM public.user_sessions s
    WHERE s.user_id = p_user_id
      AND s.ended_at IS NULL
      AND (
          (auth.uid() IS NULL
           AND current_setting('role') IS DISTINCT FROM 'authenticated')
          OR s.user_id = auth.uid()
          OR EXISTS (
              SELECT 1
              FROM public.user_profiles p
              WHERE p.user_id = auth.uid()
                AND p.global_role IN ('platform_owner', 'platform_admin')
          )
      )
    ORDER BY s.started_at DESC;
$$;

-- Writing to the audit log or opening sessions is the backend's job: a user able to call
-- these could forge events or sessions for anyone.
REVOKE ALL ON FUNCTION
    public.log_auth_event(text, text, uuid, uuid, text, text, text, jsonb),
    public.start_user_session(uuid, uuid, text, text, jsonb),
    public.end_user_session(uuid),
    public.get_active_sessions(uuid)
    FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION
    public.log_auth_event(text, text, uuid, uuid, text, text, text, jsonb),
    public.start_user_session(uuid, uuid, text, text, jsonb),
    public.end_user_session(uuid),
    public.get_active_sessions(uuid)
    TO service_role;
GRANT EXECUTE ON FUNCTION
    public.end_user_session(uuid),
    public.get_active_sessions(uuid)
    TO authenticated;

-- Grants and row-level security ------------------------------------------------------------
-- Users only read; rows are written by the functions above and by the backend.

REVOKE ALL ON TABLE public.user_auth_log, public.user_sessions FROM anon;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE public.user_auth_log, public.user_sessions
    FROM authenticated;
GRANT SELECT ON TABLE public.user_auth_log, public.user_sessions TO authenticated;
GRANT ALL ON TABLE public.user_auth_log, public.user_sessions TO service_role;

ALTER TABLE public.user_auth_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.user_sessions ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS user_auth_log_select_own ON public.user_auth_log;
CREATE POLICY user_auth_log_select_own ON public.user_auth_log
    FOR SELECT TO authenticated
    USING (user_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS user_auth_log_select_platform_admin ON public.user_auth_log;
CREATE POLICY user_auth_log_select_platform_admin ON public.user_auth_log
    FOR SELECT TO authenticated
    USING (EXISTS (
        SELECT 1
        FROM public.user_profiles p
        WHERE p.user_id = (SELECT auth.uid())
          AND p.global_role IN ('platform_owner', 'platform_admin')
    ));

-- Explicit, so service_role inserts work even where the role lacks BYPASSRLS.
DROP POLICY IF EXISTS user_auth_log_service_role ON public.user_auth_log;
CREATE POLICY user_auth_log_service_role ON public.user_auth_log
    FOR ALL TO service_role
    USING (true)
    WITH CHECK (true);

DROP POLICY IF EXISTS user_sessions_select_own ON public.user_sessions;
CREATE POLICY user_sessions_select_own ON public.user_sessions
    FOR SELECT TO authenticated
    USING (user_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS user_sessions_select_platform_admin ON public.user_sessions;
CREATE POLICY user_sessions_select_platform_admin ON public.user_sessions
    FOR SELECT TO authenticated
    USING (EXISTS (
        SELECT 1
        FROM public.user_profiles p
        WHERE p.user_id = (SELECT auth.uid())
          AND p.global_role IN ('platform_owner', 'platform_admin')
    ));

DROP POLICY IF EXISTS user_sessions_service_role ON public.user_sessions;
CREATE POLICY user_sessions_service_role ON public.user_sessions
    FOR ALL TO service_role
    USING (true)
    WITH CHECK (true);
