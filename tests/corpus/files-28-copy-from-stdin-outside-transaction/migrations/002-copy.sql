-- cora-migrate: transaction=false
CREATE TABLE t (id int);
COPY t (id) FROM STDIN WITH (FORMAT csv);
