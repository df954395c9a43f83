-- migrate: rebuilds tables with foreign keys off
--
-- IDs are never handed out twice. An INTEGER PRIMARY KEY without AUTOINCREMENT
-- gives a new row max(id) + 1, so deleting the newest row gave its id to the
-- next one: a removed member's token spoke for the next member added, a
-- deleted webhook's queued job found another account's delivery. With
-- AUTOINCREMENT SQLite keeps the largest id ever used in sqlite_sequence and
-- never goes below it.
--
-- ALTER TABLE cannot add AUTOINCREMENT, so each table whose ids are referred
-- to from outside its row is rebuilt the documented way
-- (https://www.sqlite.org/lang_altertable.html#otheralter): new table, copy,
-- drop, rename, indexes again. The migrator runs this with foreign keys off
-- and commits only if PRAGMA foreign_key_check passes (see db.go). The
-- columns and indexes are those of migrations 0001-0005, unchanged.
--
-- The copy seeds sqlite_sequence with each table's largest id. An id deleted
-- before this migration from the top of a table can therefore be handed out
-- once more (SQLite kept no record of it); nothing depends on that id alone
-- any more: access tokens carry the user's token_key (below, and tokens from
-- before it have none, so they are refused), and jobs check the account and
-- job they were enqueued for.
--
-- users also gets token_key: random per user, set by the database, carried
-- by every access token of the user and checked on every request, so a
-- token can only ever speak for the row it was issued to.

CREATE TABLE new_accounts (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL,
  plan       TEXT    NOT NULL DEFAULT 'free',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO new_accounts (id, name, plan, created_at, updated_at)
  SELECT id, name, plan, created_at, updated_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE new_accounts RENAME TO accounts;

CREATE TABLE new_users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email         TEXT    NOT NULL UNIQUE, -- stored lower-cased: unique without regard to case
  name          TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  token_key     TEXT    NOT NULL DEFAULT (lower(hex(randomblob(16))))
);
INSERT INTO new_users (id, account_id, email, name, role, password_hash, created_at, updated_at)
  SELECT id, account_id, email, name, role, password_hash, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;
CREATE INDEX users_account ON users(account_id, id);

CREATE TABLE new_api_keys (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT    NOT NULL,
  prefix       TEXT    NOT NULL,
  hash         BLOB    NOT NULL UNIQUE, -- SHA-256 of the secret; the secret is never stored
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at   INTEGER,
  revoked_at   INTEGER
);
INSERT INTO new_api_keys (id, account_id, user_id, name, prefix, hash, created_at, last_used_at, expires_at, revoked_at)
  SELECT id, account_id, user_id, name, prefix, hash, created_at, last_used_at, expires_at, revoked_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE new_api_keys RENAME TO api_keys;
CREATE INDEX api_keys_user ON api_keys(user_id, id);

CREATE TABLE new_refresh_tokens (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  family     TEXT    NOT NULL,
  hash       BLOB    NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER,
  created_at INTEGER NOT NULL
);
INSERT INTO new_refresh_tokens (id, user_id, family, hash, expires_at, used_at, created_at)
  SELECT id, user_id, family, hash, expires_at, used_at, created_at FROM refresh_tokens;
DROP TABLE refresh_tokens;
ALTER TABLE new_refresh_tokens RENAME TO refresh_tokens;
CREATE INDEX refresh_tokens_family ON refresh_tokens(family);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);

CREATE TABLE new_clients (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name          TEXT    NOT NULL,
  industry      TEXT    NOT NULL DEFAULT '',
  brand_color   TEXT    NOT NULL DEFAULT '',
  logo_url      TEXT    NOT NULL DEFAULT '',
  contact_email TEXT    NOT NULL DEFAULT '',
  website_url   TEXT    NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
INSERT INTO new_clients (id, account_id, name, industry, brand_color, logo_url, contact_email, website_url, created_at, updated_at)
  SELECT id, account_id, name, industry, brand_color, logo_url, contact_email, website_url, created_at, updated_at FROM clients;
DROP TABLE clients;
ALTER TABLE new_clients RENAME TO clients;
CREATE INDEX clients_account ON clients(account_id, id);

CREATE TABLE new_campaigns (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  -- RESTRICT: a client that still has campaigns cannot be deleted (409).
  client_id        INTEGER NOT NULL REFERENCES clients(id) ON DELETE RESTRICT,
  name             TEXT    NOT NULL,
  description      TEXT    NOT NULL DEFAULT '',
  concept_gender   TEXT,
  concept_tone     TEXT,
  concept_style    TEXT,
  platform         TEXT,
  target_duration  INTEGER,
  voice_id         TEXT    NOT NULL DEFAULT '',
  voice_name       TEXT    NOT NULL DEFAULT '',
  intro_video_url  TEXT    NOT NULL DEFAULT '',
  outro_video_url  TEXT    NOT NULL DEFAULT '',
  bgm_url          TEXT    NOT NULL DEFAULT '',
  intro_duration   REAL    NOT NULL DEFAULT 5,
  outro_duration   REAL    NOT NULL DEFAULT 5,
  bgm_volume       REAL    NOT NULL DEFAULT 0.3,
  publish_schedule TEXT    NOT NULL DEFAULT '',
  auto_deploy      INTEGER NOT NULL DEFAULT 0,
  status           TEXT    NOT NULL DEFAULT 'active',
  start_date       TEXT,
  end_date         TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (account_id, name)
);
INSERT INTO new_campaigns (id, account_id, client_id, name, description, concept_gender, concept_tone, concept_style,
    platform, target_duration, voice_id, voice_name, intro_video_url, outro_video_url, bgm_url, intro_duration,
    outro_duration, bgm_volume, publish_schedule, auto_deploy, status, start_date, end_date, created_at, updated_at)
  SELECT id, account_id, client_id, name, description, concept_gender, concept_tone, concept_style,
    platform, target_duration, voice_id, voice_name, intro_video_url, outro_video_url, bgm_url, intro_duration,
    outro_duration, bgm_volume, publish_schedule, auto_deploy, status, start_date, end_date, created_at, updated_at
  FROM campaigns;
DROP TABLE campaigns;
ALTER TABLE new_campaigns RENAME TO campaigns;
-- Newest first is id descending (ids only grow), so every list index ends in id.
CREATE INDEX campaigns_account ON campaigns(account_id, id);
CREATE INDEX campaigns_client ON campaigns(account_id, client_id, id);
CREATE INDEX campaigns_status ON campaigns(account_id, status, id);
-- The foreign key check on DELETE FROM clients looks campaigns up by client_id.
CREATE INDEX campaigns_client_fk ON campaigns(client_id);

CREATE TABLE new_contents (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  campaign_id     INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  title           TEXT    NOT NULL DEFAULT '',
  topic           TEXT    NOT NULL,
  platform        TEXT    NOT NULL,
  language        TEXT    NOT NULL DEFAULT 'ko',
  target_duration INTEGER NOT NULL DEFAULT 60,
  target_audience TEXT    NOT NULL DEFAULT '',
  keywords        TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
  publish_date    TEXT,
  status          TEXT    NOT NULL DEFAULT 'draft',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
INSERT INTO new_contents (id, account_id, campaign_id, title, topic, platform, language, target_duration,
    target_audience, keywords, publish_date, status, created_at, updated_at)
  SELECT id, account_id, campaign_id, title, topic, platform, language, target_duration,
    target_audience, keywords, publish_date, status, created_at, updated_at FROM contents;
DROP TABLE contents;
ALTER TABLE new_contents RENAME TO contents;
CREATE INDEX contents_campaign ON contents(campaign_id, id);
CREATE INDEX contents_status ON contents(campaign_id, status, id);

CREATE TABLE new_scripts (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id         INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  content_id         INTEGER REFERENCES contents(id) ON DELETE CASCADE,
  provider           TEXT    NOT NULL,
  model              TEXT    NOT NULL DEFAULT '',
  language           TEXT    NOT NULL,
  topic              TEXT    NOT NULL,
  platform           TEXT    NOT NULL,
  tone               TEXT    NOT NULL,
  target_duration    INTEGER NOT NULL,
  hook               TEXT    NOT NULL,
  body               TEXT    NOT NULL,
  cta                TEXT    NOT NULL,
  estimated_duration REAL    NOT NULL,
  cache_key          TEXT    NOT NULL,
  created_at         INTEGER NOT NULL
);
INSERT INTO new_scripts (id, account_id, content_id, provider, model, language, topic, platform, tone,
    target_duration, hook, body, cta, estimated_duration, cache_key, created_at)
  SELECT id, account_id, content_id, provider, model, language, topic, platform, tone,
    target_duration, hook, body, cta, estimated_duration, cache_key, created_at FROM scripts;
DROP TABLE scripts;
ALTER TABLE new_scripts RENAME TO scripts;
CREATE INDEX scripts_content ON scripts(content_id, id);
CREATE INDEX scripts_cache ON scripts(account_id, cache_key, id);

CREATE TABLE new_audio_tasks (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id            TEXT    NOT NULL UNIQUE,
  account_id         INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  campaign_id        INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
  content_id         INTEGER REFERENCES contents(id) ON DELETE CASCADE,
  idempotency_key    TEXT,
  request_hash       TEXT    NOT NULL DEFAULT '',
  text               TEXT    NOT NULL,
  language           TEXT    NOT NULL,
  voice_id           TEXT    NOT NULL DEFAULT 'default',
  accuracy_threshold REAL    NOT NULL,
  max_attempts       INTEGER NOT NULL,
  status             TEXT    NOT NULL,
  stage              TEXT    NOT NULL DEFAULT '',
  progress           REAL    NOT NULL DEFAULT 0,
  attempts           INTEGER NOT NULL DEFAULT 0,
  similarity         REAL,
  verified           INTEGER NOT NULL DEFAULT 0,
  warning            TEXT    NOT NULL DEFAULT '',
  normalized_text    TEXT    NOT NULL DEFAULT '',
  normalization      TEXT    NOT NULL DEFAULT '[]', -- JSON: what was spoken instead of what
  transcript         TEXT    NOT NULL DEFAULT '',
  iterations         TEXT    NOT NULL DEFAULT '[]', -- JSON: one entry per attempt
  synthesizer        TEXT    NOT NULL DEFAULT '',
  recognizer         TEXT    NOT NULL DEFAULT '',
  audio_path         TEXT    NOT NULL DEFAULT '',
  audio_format       TEXT    NOT NULL DEFAULT '',
  duration           REAL,
  error              TEXT, -- JSON: structured reason of a failure
  job_id             INTEGER,
  quota_period       TEXT    NOT NULL DEFAULT '',
  created_at         INTEGER NOT NULL,
  started_at         INTEGER,
  finished_at        INTEGER,
  synthetic          INTEGER NOT NULL DEFAULT 0,
  words              TEXT    NOT NULL DEFAULT '[]',
  providers_skipped  TEXT    NOT NULL DEFAULT '[]'
);
INSERT INTO new_audio_tasks (id, task_id, account_id, campaign_id, content_id, idempotency_key, request_hash, text,
    language, voice_id, accuracy_threshold, max_attempts, status, stage, progress, attempts, similarity, verified,
    warning, normalized_text, normalization, transcript, iterations, synthesizer, recognizer, audio_path,
    audio_format, duration, error, job_id, quota_period, created_at, started_at, finished_at, synthetic, words,
    providers_skipped)
  SELECT id, task_id, account_id, campaign_id, content_id, idempotency_key, request_hash, text,
    language, voice_id, accuracy_threshold, max_attempts, status, stage, progress, attempts, similarity, verified,
    warning, normalized_text, normalization, transcript, iterations, synthesizer, recognizer, audio_path,
    audio_format, duration, error, job_id, quota_period, created_at, started_at, finished_at, synthetic, words,
    providers_skipped
  FROM audio_tasks;
DROP TABLE audio_tasks;
ALTER TABLE new_audio_tasks RENAME TO audio_tasks;
CREATE INDEX audio_tasks_account ON audio_tasks(account_id, id);
CREATE INDEX audio_tasks_status ON audio_tasks(account_id, status, id);
CREATE UNIQUE INDEX audio_tasks_idempotency ON audio_tasks(account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX audio_tasks_campaign ON audio_tasks(campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX audio_tasks_content ON audio_tasks(content_id) WHERE content_id IS NOT NULL;
-- The reconciler looks for unfinished tasks by age.
CREATE INDEX audio_tasks_unfinished ON audio_tasks(created_at) WHERE status IN ('queued', 'running');

CREATE TABLE new_webhooks (
  id                         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id                 INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  url                        TEXT    NOT NULL,
  description                TEXT    NOT NULL DEFAULT '',
  events                     TEXT    NOT NULL, -- comma-separated event types
  enabled                    INTEGER NOT NULL,
  secret_sealed              BLOB    NOT NULL, -- AES-GCM, key derived from the server secret
  previous_secret_sealed     BLOB,
  previous_secret_expires_at INTEGER,
  failing_since              INTEGER,
  disabled_reason            TEXT,
  disabled_at                INTEGER,
  created_at                 INTEGER NOT NULL,
  updated_at                 INTEGER NOT NULL
);
INSERT INTO new_webhooks (id, account_id, url, description, events, enabled, secret_sealed, previous_secret_sealed,
    previous_secret_expires_at, failing_since, disabled_reason, disabled_at, created_at, updated_at)
  SELECT id, account_id, url, description, events, enabled, secret_sealed, previous_secret_sealed,
    previous_secret_expires_at, failing_since, disabled_reason, disabled_at, created_at, updated_at FROM webhooks;
DROP TABLE webhooks;
ALTER TABLE new_webhooks RENAME TO webhooks;
CREATE INDEX webhooks_account ON webhooks(account_id, id);

CREATE TABLE new_webhook_deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id      INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  account_id      INTEGER NOT NULL,
  message_id      TEXT    NOT NULL,
  event_type      TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  status          TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  response_code   INTEGER,
  response_body   TEXT    NOT NULL DEFAULT '',
  duration_ms     INTEGER,
  error           TEXT,
  last_attempt_at INTEGER,
  next_attempt_at INTEGER,
  job_id          INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
INSERT INTO new_webhook_deliveries (id, webhook_id, account_id, message_id, event_type, payload, status, attempts,
    response_code, response_body, duration_ms, error, last_attempt_at, next_attempt_at, job_id, created_at, updated_at)
  SELECT id, webhook_id, account_id, message_id, event_type, payload, status, attempts,
    response_code, response_body, duration_ms, error, last_attempt_at, next_attempt_at, job_id, created_at, updated_at
  FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE new_webhook_deliveries RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);
