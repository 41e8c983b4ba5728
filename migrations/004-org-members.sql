-- 004-org-members: org_members, who belongs to which org and with what role, and the read
-- access to orgs that membership brings. Membership checks go through SECURITY DEFINER
-- helpers, so a policy on org_members never queries org_members under RLS again (that
-- recursion fails every read with "infinite recursion detected in policy").
--
-- role values: 'org_owner', 'org_admin', 'org_user' (the default). org_owner and org_admin,
-- and the org's owner_id, may manage members.

CREATE TABLE IF NOT EXISTS public.org_members (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES public.user_profiles (user_id) ON DELETE CASCADE,
    role       text NOT NULL DEFAULT 'org_user',
    added_by   uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT org_members_org_id_user_id_key UNIQUE (org_id, user_id),
    CONSTRAINT org_members_role_check CHECK (role IN ('org_owner', 'org_admin', 'org_user'))
);

-- (org_id, ...) lookups use the unique constraint's index.
CREATE INDEX IF NOT EXISTS idx_org_members_user_id ON public.org_members (user_id);

DROP TRIGGER IF EXISTS org_members_set_updated_at ON public.org_members;
CREATE TRIGGER org_members_set_updated_at
    BEFORE UPDATE ON public.org_members
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

REVOKE ALL ON TABLE public.org_members FROM anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.org_members TO authenticated;
GRANT ALL ON TABLE public.org_members TO service_role;

-- True when the requesting user is a member of the org.
CREATE OR REPLACE FUNCTION public.is_org_member(p_org_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
    SELECT EXISTS (
        SELECT 1
        FROM public.org_members m
        WHERE m.org_id = p_org_id
          AND m.user_id = auth.uid()
    );
$$;

-- True when the requesting user owns the org or is one of its org_owner/org_admin members.
CREATE OR REPLACE FUNCTION public.is_org_admin(p_org_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
    SELECT EXISTS (
        SELECT 1
        FROM public.orgs o
        WHERE o.id = p_org_id
          AND o.owner_id = auth.uid()
    )
    OR EXISTS (
        SELECT 1
        FROM public.org_members m
        WHERE m.org_id = p_org_id
          AND m.user_id = auth.uid()
          AND m.role IN ('org_owner', 'org_admin')
    );
$$;

REVOKE ALL ON FUNCTION public.is_org_member(uuid) FROM PUBLIC, anon;
REVOKE ALL ON FUNCTION public.is_org_admin(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.is_org_member(uuid) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION public.is_org_admin(uuid) TO authenticated, service_role;

ALTER TABLE public.org_members ENABLE ROW LEVEL SECURITY;

-- Members see everyone in their orgs (their own rows included).
DROP POLICY IF EXISTS org_members_select_member ON public.org_members;
CREATE POLICY org_members_select_member ON public.org_members
    FOR SELECT TO authenticated
    USING (user_id = (SELECT auth.uid()) OR public.is_org_member(org_id));

DROP POLICY IF EXISTS org_members_insert_admin ON public.org_members;
CREATE POLICY org_members_insert_admin ON public.org_members
    FOR INSERT TO authenticated
    WITH CHECK (public.is_org_admin(org_id));

DROP POLICY IF EXISTS org_members_update_admin ON public.org_members;
CREATE POLICY org_members_update_admin ON public.org_members
    FOR UPDATE TO authenticated
    USING (public.is_org_admin(org_id))
    WITH CHECK (public.is_org_admin(org_id));

-- Admins remove members; anyone may leave an org.
DROP POLICY IF EXISTS org_members_delete_admin_or_self ON public.org_members;
CREATE POLICY org_members_delete_admin_or_self ON public.org_members
    FOR DELETE TO authenticated
    USING (public.is_org_admin(org_id) OR user_id = (SELECT auth.uid()));

-- Members may read the orgs they belong to (owners already can, see 002-orgs).
DROP POLICY IF EXISTS orgs_select_member ON public.orgs;
CREATE POLICY orgs_select_member ON public.orgs
    FOR SELECT TO authenticated
    USING (public.is_org_member(id));
