-- Times are INTEGER microseconds since the Unix epoch (UTC): compact, fast to
-- compare, and ordered. Calendar dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE accounts (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  plan       TEXT    NOT NULL DEFAULT 'free',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email         TEXT    NOT NULL UNIQUE, -- stored lower-cased: unique without regard to case
  name          TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX users_account ON users(account_id, id);

CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
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
CREATE INDEX api_keys_user ON api_keys(user_id, id);

CREATE TABLE refresh_tokens (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  family     TEXT    NOT NULL,
  hash       BLOB    NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);

CREATE TABLE clients (
  id            INTEGER PRIMARY KEY,
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
CREATE INDEX clients_account ON clients(account_id, id);

CREATE TABLE campaigns (
  id               INTEGER PRIMARY KEY,
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
-- Newest first is id descending (ids only grow), so every list index ends in id.
CREATE INDEX campaigns_account ON campaigns(account_id, id);
CREATE INDEX campaigns_client ON campaigns(account_id, client_id, id);
CREATE INDEX campaigns_status ON campaigns(account_id, status, id);
-- The foreign key check on DELETE FROM clients looks campaigns up by client_id.
CREATE INDEX campaigns_client_fk ON campaigns(client_id);

CREATE TABLE contents (
  id              INTEGER PRIMARY KEY,
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
CREATE INDEX contents_campaign ON contents(campaign_id, id);
CREATE INDEX contents_status ON contents(campaign_id, status, id);

CREATE TABLE scripts (
  id                 INTEGER PRIMARY KEY,
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
CREATE INDEX scripts_content ON scripts(content_id, id);
CREATE INDEX scripts_cache ON scripts(account_id, cache_key, id);

CREATE TABLE script_blocks (
  script_id  INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  ord        INTEGER NOT NULL,
  type       TEXT    NOT NULL CHECK (type IN ('hook', 'body', 'cta')),
  text       TEXT    NOT NULL,
  duration   REAL    NOT NULL,
  start_s    REAL    NOT NULL,
  end_s      REAL    NOT NULL,
  PRIMARY KEY (script_id, ord)
) WITHOUT ROWID;

CREATE TABLE audio_tasks (
  id                 INTEGER PRIMARY KEY,
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
  finished_at        INTEGER
);
CREATE INDEX audio_tasks_account ON audio_tasks(account_id, id);
CREATE INDEX audio_tasks_status ON audio_tasks(account_id, status, id);
CREATE UNIQUE INDEX audio_tasks_idempotency ON audio_tasks(account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX audio_tasks_campaign ON audio_tasks(campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX audio_tasks_content ON audio_tasks(content_id) WHERE content_id IS NOT NULL;

-- Units used per account, month and kind ('scripts', 'audio'). A conditional
-- upsert is the whole quota check, so it cannot be overshot by concurrent requests.
CREATE TABLE monthly_usage (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  period     TEXT    NOT NULL,
  kind       TEXT    NOT NULL,
  used       INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
  PRIMARY KEY (account_id, period, kind)
) WITHOUT ROWID;
