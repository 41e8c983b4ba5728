-- café ☕
SELECT 'é' FROM FROM;
