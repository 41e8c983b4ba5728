CREAT TABLE bad (id int);
