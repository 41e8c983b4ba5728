CREATE TABLE user_auth_log (id int);
INSERT INTO public.auth_event_log VALUES (1);
