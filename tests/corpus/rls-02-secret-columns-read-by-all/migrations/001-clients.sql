CREATE TABLE public.api_clients (id int PRIMARY KEY, name text, api_key text);
ALTER TABLE public.api_clients ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON public.api_clients TO authenticated;
CREATE POLICY clients_read ON public.api_clients FOR SELECT TO authenticated USING (true);
