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
  // 5: accounts known by the operator's external id, which may have no password. (Sessions keep
  // their record, authMethods included, in the JSONB body: nothing to change there.)
  `
  ALTER TABLE users ADD COLUMN external_id TEXT;
  CREATE UNIQUE INDEX users_external_id ON users (external_id);
  ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
  `,
  // 6: webhooks and their delivery queue.
  `
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    body JSONB NOT NULL,
    created_at BIGINT NOT NULL
  );
  -- seq is the queue's order; a line (webhook_id, order_key) goes out one delivery at a time.
  CREATE TABLE webhook_deliveries (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    webhook_id TEXT NOT NULL,
    order_key TEXT NOT NULL,
    status TEXT NOT NULL,
    next_attempt_at BIGINT,
    lease_token TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts JSONB NOT NULL
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_line ON webhook_deliveries (webhook_id, order_key, seq) WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_of ON webhook_deliveries (webhook_id, seq);
  CREATE INDEX webhook_deliveries_done ON webhook_deliveries (created_at) WHERE status <> 'pending';
  `,
  // 7: sign-in through identity providers. Sessions keep their SSO link in the JSONB body.
  `
  CREATE TABLE identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
  );
  CREATE INDEX identities_user ON identities (user_id);
  -- Back-channel logout names a provider session (sid): which of ours it started.
  CREATE TABLE provider_sessions (
    issuer TEXT NOT NULL,
    sid TEXT NOT NULL,
    session_id TEXT NOT NULL,
    purge_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, sid, session_id)
  );
  CREATE INDEX provider_sessions_purge ON provider_sessions (purge_at);
  `,
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
