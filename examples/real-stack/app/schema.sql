-- Run by the app's `pre` as the postgres superuser, once postgres is ready; safe to run again.
SELECT 'CREATE DATABASE app' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'app')
\gexec
\connect app
-- The app's role: www-data, as which it logs in over the socket (peer authentication).
SELECT 'CREATE ROLE "www-data" LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'www-data')
\gexec
CREATE TABLE IF NOT EXISTS greeting (id int PRIMARY KEY, message text NOT NULL);
INSERT INTO greeting VALUES (1, 'hello from PostgreSQL') ON CONFLICT (id) DO NOTHING;
GRANT SELECT ON greeting TO "www-data";
