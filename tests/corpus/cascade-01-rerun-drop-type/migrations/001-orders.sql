-- cora-migrate: rerunnable=true
DROP TYPE IF EXISTS order_status CASCADE;
CREATE TYPE order_status AS ENUM ('open', 'paid');
CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, status order_status);
INSERT INTO orders VALUES (1, 'open') ON CONFLICT DO NOTHING;
