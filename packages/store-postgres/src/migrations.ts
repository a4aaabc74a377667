/** Schema versions; applied under an advisory lock so several nodes may start at once. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    totp_secret TEXT,
    totp_enabled BOOLEAN NOT NULL DEFAULT false,
    recovery_code_hashes JSONB NOT NULL DEFAULT '[]'
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    app TEXT NOT NULL,
    body JSONB NOT NULL,
    idle_expires_at BIGINT NOT NULL,
    absolute_expires_at BIGINT NOT NULL,
    deadline BIGINT GENERATED ALWAYS AS (LEAST(idle_expires_at, absolute_expires_at)) STORED,
    ended_at BIGINT,
    purge_at BIGINT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;
  -- Sweeping reads only what is due: active sessions by deadline, ended ones by purge time.
  CREATE INDEX sessions_active_deadline ON sessions (deadline) WHERE ended_at IS NULL;
  CREATE INDEX sessions_purge ON sessions (purge_at) WHERE ended_at IS NOT NULL;
  CREATE TABLE trusted_devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    body JSONB NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX trusted_devices_user ON trusted_devices (user_id);
  CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    user_id TEXT,
    session_id TEXT,
    body JSONB NOT NULL
  );
  CREATE INDEX events_user ON events (user_id, id);
  CREATE INDEX events_session ON events (session_id, id);
  CREATE TABLE counters (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    body JSONB NOT NULL
  );
  `,
  `
  ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
  ALTER TABLE users ADD COLUMN disabled_at BIGINT;
  `,
  `
  CREATE TABLE app_keys (
    id TEXT PRIMARY KEY,
    app TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    body JSONB NOT NULL,
    seq BIGSERIAL,
    last_used_at BIGINT
  );
  CREATE INDEX app_keys_app ON app_keys (app, seq);
  `,
  `
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // Versions 5–7 belong to branches merged beside this one (server API fixes, webhooks, OIDC):
  // until they land here, empty placeholders keep version 8 the eighth entry. Replace each with
  // its branch's migration when merging; never reorder.
  '',
  '',
  '',
  // 8: a session's own data, apart from the session row (validating reads only the row), and
  // forgotten with it.
  `
  CREATE TABLE session_data (
    session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  `,
];
