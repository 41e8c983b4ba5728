INSERT INTO base VALUES (1);
DO $$
BEGIN
  RAISE EXCEPTION 'migration refused: %', 'boom'
    USING DETAIL = E'first line\nsecond line', HINT = 'do not';
END
$$;
