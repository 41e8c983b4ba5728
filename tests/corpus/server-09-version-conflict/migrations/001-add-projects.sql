CREATE TABLE projects (id int);
