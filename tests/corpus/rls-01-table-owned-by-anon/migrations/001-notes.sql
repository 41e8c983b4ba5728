CREATE TABLE public.notes (id int PRIMARY KEY, owner uuid);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_none ON public.notes FOR SELECT TO authenticated USING (false);
ALTER TABLE public.notes OWNER TO anon;
