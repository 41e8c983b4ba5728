CREATE TABLE next (id int);
