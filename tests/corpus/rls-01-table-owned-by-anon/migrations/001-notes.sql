CREATE TABLE public.notes (id int PRIMARY KEY, owner uuid);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_none ON public.notes FOR SELECT TO authenticated USING (false);
-- The new owner needs CREATE on the schema (postgres is no superuser): the misconfiguration
-- that lets a table end up owned by an API role.
GRANT CREATE ON SCHEMA public TO anon;
ALTER TABLE public.notes OWNER TO anon;
