-- to do
/* later */
