CREATE TABLE public.schema_migrations (version text PRIMARY KEY, dirty boolean);
