-- The PostgreSQL side of internal/sqlite/migrations/0006_ids_never_reused.sql.
-- Identity columns already never hand an id out twice: they draw from a
-- sequence, and nextval never returns a value again (not even one of a
-- rolled-back transaction), so no table is rebuilt here.
--
-- users gets token_key: random per user, set by the database (a volatile
-- default, so each existing row gets its own), carried by every access token
-- of the user and checked on every request, so a token can only ever speak
-- for the row it was issued to.
ALTER TABLE users ADD COLUMN token_key TEXT NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '');
