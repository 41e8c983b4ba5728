-- 002-orgs: the organisations users belong to. Any signed-in user may create an org they own;
-- only its owner may change or delete it. Members get read access in 004-org-members.

CREATE TABLE IF NOT EXISTS public.orgs (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL,
    slug       text NOT NULL,
    owner_id   uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    updated_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    logo_url   text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orgs_slug_key UNIQUE (slug)
);

CREATE INDEX IF NOT EXISTS idx_orgs_owner_id ON public.orgs (owner_id);

DROP TRIGGER IF EXISTS orgs_set_updated_at ON public.orgs;
CREATE TRIGGER orgs_set_updated_at
    BEFORE UPDATE ON public.orgs
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

REVOKE ALL ON TABLE public.orgs FROM anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.orgs TO authenticated;
GRANT ALL ON TABLE public.orgs TO service_role;

ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS orgs_select_owner ON public.orgs;
CREATE POLICY orgs_select_owner ON public.orgs
    FOR SELECT TO authenticated
    USING (owner_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS orgs_insert_own ON public.orgs;
CREATE POLICY orgs_insert_own ON public.orgs
    FOR INSERT TO authenticated
    WITH CHECK (owner_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS orgs_update_owner ON public.orgs;
CREATE POLICY orgs_update_owner ON public.orgs
    FOR UPDATE TO authenticated
    USING (owner_id = (SELECT auth.uid()))
    WITH CHECK (owner_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS orgs_delete_owner ON public.orgs;
CREATE POLICY orgs_delete_owner ON public.orgs
    FOR DELETE TO authenticated
    USING (owner_id = (SELECT auth.uid()));
