-- Webhooks: endpoints of an account told of its events, and one row per
-- event sent to an endpoint (its job is a River job on the same database).
CREATE TABLE webhooks (
  id                         INTEGER PRIMARY KEY,
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
CREATE INDEX webhooks_account ON webhooks(account_id, id);

CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY,
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
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);
