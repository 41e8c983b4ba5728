BEGIN;
COPY t FROM STDIN;
SELECT 'é' FROM FROM;
/* nested /* comment */ */
