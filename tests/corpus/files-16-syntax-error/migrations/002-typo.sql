CREATE TABLE fine (id int);

ALTER TABLE fine ADD COLUMN name text,;
