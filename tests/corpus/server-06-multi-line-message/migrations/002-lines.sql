DO $$ BEGIN RAISE EXCEPTION E'line one\nline two\r\nline three'; END $$;
