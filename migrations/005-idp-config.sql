-- 005-idp-config: the platform's identity provider settings (Okta or Clerk, at most one
-- active at a time) and an audit log of changes to them. Only platform admins (global_role
-- platform_owner or platform_admin, see public.is_platform_admin()) may see or change either.

CREATE TABLE IF NOT EXISTS public.platform_idp_config (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_type text NOT NULL,
    display_name  text,
    config        jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_active     boolean NOT NULL DEFAULT false,
    is_configured boolean NOT NULL DEFAULT false,
    created_by    uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    updated_by    uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT platform_idp_config_provider_type_key UNIQUE (provider_type),
    CONSTRAINT platform_idp_config_provider_type_check CHECK (provider_type IN ('okta', 'clerk'))
);

-- At most one active provider: all active rows share the key true.
CREATE UNIQUE INDEX IF NOT EXISTS idx_platform_idp_config_one_active
    ON public.platform_idp_config (is_active)
    WHERE is_active;

DROP TRIGGER IF EXISTS platform_idp_config_set_updated_at ON public.platform_idp_config;
CREATE TRIGGER platform_idp_config_set_updated_at
    BEFORE UPDATE ON public.platform_idp_config
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.platform_idp_audit_log (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    idp_config_id uuid REFERENCES public.platform_idp_config (id) ON DELETE SET NULL,
    provider_type text,
    action        text NOT NULL,
    old_config    jsonb,
    new_config    jsonb,
    performed_by  uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    performed_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT platform_idp_audit_log_action_check
        CHECK (action IN ('created', 'updated', 'activated', 'deactivated', 'deleted'))
);

CREATE INDEX IF NOT EXISTS idx_platform_idp_audit_log_idp_config_id
    ON public.platform_idp_audit_log (idp_config_id);
CREATE INDEX IF NOT EXISTS idx_platform_idp_audit_log_performed_at
    ON public.platform_idp_audit_log (performed_at DESC);

REVOKE ALL ON TABLE public.platform_idp_config, public.platform_idp_audit_log FROM anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.platform_idp_config TO authenticated;
-- The audit log is append-only for users.
REVOKE UPDATE, DELETE ON TABLE public.platform_idp_audit_log FROM authenticated;
GRANT SELECT, INSERT ON TABLE public.platform_idp_audit_log TO authenticated;
GRANT ALL ON TABLE public.platform_idp_config, public.platform_idp_audit_log TO service_role;

ALTER TABLE public.platform_idp_config ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.platform_idp_audit_log ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS platform_idp_config_admin_all ON public.platform_idp_config;
CREATE POLICY platform_idp_config_admin_all ON public.platform_idp_config
    FOR ALL TO authenticated
    USING ((SELECT public.is_platform_admin()))
    WITH CHECK ((SELECT public.is_platform_admin()));

DROP POLICY IF EXISTS platform_idp_audit_log_admin_select ON public.platform_idp_audit_log;
CREATE POLICY platform_idp_audit_log_admin_select ON public.platform_idp_audit_log
    FOR SELECT TO authenticated
    USING ((SELECT public.is_platform_admin()));

DROP POLICY IF EXISTS platform_idp_audit_log_admin_insert ON public.platform_idp_audit_log;
CREATE POLICY platform_idp_audit_log_admin_insert ON public.platform_idp_audit_log
    FOR INSERT TO authenticated
    WITH CHECK ((SELECT public.is_platform_admin()));
