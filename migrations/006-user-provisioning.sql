-- 006-user-provisioning: how new users get into an org. org_email_domains lets anyone with a
-- matching email domain be provisioned automatically; user_invites holds explicit invitations.
--
-- Invites expire on write: a BEFORE trigger marks a pending invite past its expires_at as
-- 'expired' by changing only the row being written. It never updates user_invites itself
-- (an UPDATE from an UPDATE trigger recursed until "stack depth limit exceeded"), so rows
-- nobody touches stay 'pending': readers treat an invite as open only while
-- status = 'pending' AND expires_at > now(), and public.expire_stale_invites() sweeps them.

CREATE TABLE IF NOT EXISTS public.org_email_domains (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
    domain         text NOT NULL,
    auto_provision boolean NOT NULL DEFAULT true,
    default_role   text NOT NULL DEFAULT 'org_user',
    created_by     uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- A domain provisions into one org only, or the target would be ambiguous.
    CONSTRAINT org_email_domains_domain_key UNIQUE (domain),
    CONSTRAINT org_email_domains_domain_lower_check CHECK (domain = lower(domain)),
    CONSTRAINT org_email_domains_default_role_check
        CHECK (default_role IN ('org_owner', 'org_admin', 'org_user'))
);

CREATE INDEX IF NOT EXISTS idx_org_email_domains_org_id ON public.org_email_domains (org_id);

DROP TRIGGER IF EXISTS org_email_domains_set_updated_at ON public.org_email_domains;
CREATE TRIGGER org_email_domains_set_updated_at
    BEFORE UPDATE ON public.org_email_domains
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.user_invites (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
    email       text NOT NULL,
    role        text NOT NULL DEFAULT 'org_user',
    status      text NOT NULL DEFAULT 'pending',
    invited_by  uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    expires_at  timestamptz NOT NULL DEFAULT now() + interval '7 days',
    accepted_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_invites_email_org_id_key UNIQUE (email, org_id),
    CONSTRAINT user_invites_status_check
        CHECK (status IN ('pending', 'accepted', 'expired', 'revoked')),
    CONSTRAINT user_invites_role_check CHECK (role IN ('org_owner', 'org_admin', 'org_user'))
);

CREATE INDEX IF NOT EXISTS idx_user_invites_org_id ON public.user_invites (org_id);
CREATE INDEX IF NOT EXISTS idx_user_invites_status ON public.user_invites (status);
CREATE INDEX IF NOT EXISTS idx_user_invites_pending_expires_at
    ON public.user_invites (expires_at)
    WHERE status = 'pending';

DROP TRIGGER IF EXISTS user_invites_set_updated_at ON public.user_invites;
CREATE TRIGGER user_invites_set_updated_at
    BEFORE UPDATE ON public.user_invites
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- Changes only NEW; see the note at the top of this file.
CREATE OR REPLACE FUNCTION public.user_invites_expire_on_write()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    IF NEW.status = 'pending' AND NEW.expires_at <= now() THEN
        NEW.status := 'expired';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS user_invites_expire_on_write ON public.user_invites;
CREATE TRIGGER user_invites_expire_on_write
    BEFORE INSERT OR UPDATE ON public.user_invites
    FOR EACH ROW EXECUTE FUNCTION public.user_invites_expire_on_write();

-- Marks every pending invite past its expiry as expired; returns how many. For a scheduled
-- job or the backend, not for users. Its UPDATE fires the row trigger above, which changes
-- nothing further, so it cannot recurse.
CREATE OR REPLACE FUNCTION public.expire_stale_invites()
RETURNS integer
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE public.user_invites
    SET status = 'expired'
    WHERE status = 'pending'
      AND expires_at <= now();
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END;
$$;

REVOKE ALL ON FUNCTION public.expire_stale_invites() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.expire_stale_invites() TO service_role;

REVOKE ALL ON TABLE public.org_email_domains, public.user_invites FROM anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.org_email_domains, public.user_invites
    TO authenticated;
GRANT ALL ON TABLE public.org_email_domains, public.user_invites TO service_role;

ALTER TABLE public.org_email_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.user_invites ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS org_email_domains_org_admin_all ON public.org_email_domains;
CREATE POLICY org_email_domains_org_admin_all ON public.org_email_domains
    FOR ALL TO authenticated
    USING (public.is_org_admin(org_id))
    WITH CHECK (public.is_org_admin(org_id));

DROP POLICY IF EXISTS user_invites_org_admin_all ON public.user_invites;
CREATE POLICY user_invites_org_admin_all ON public.user_invites
    FOR ALL TO authenticated
    USING (public.is_org_admin(org_id))
    WITH CHECK (public.is_org_admin(org_id));

-- Invitees may see the invitations addressed to them.
DROP POLICY IF EXISTS user_invites_select_invitee ON public.user_invites;
CREATE POLICY user_invites_select_invitee ON public.user_invites
    FOR SELECT TO authenticated
    USING (lower(email) = lower((SELECT auth.email())));
