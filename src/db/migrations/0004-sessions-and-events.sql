-- Hardening: what must survive a restart and be shared by every process on the database.

-- Admin sessions. The cookie carries a random id; only its sha256 is kept. A session ends when its row goes
-- (log out, log out everywhere) or when admin_password changes (the fingerprint, an HMAC with secret_key of the
-- password, no longer matches).
CREATE TABLE admin_sessions (
	id_hash TEXT PRIMARY KEY,
	password_fingerprint TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);

-- Webhook events that changed something (commands, new viewers, stream starts and stops), by Owncast's event id,
-- written in the same transaction as their effect and kept 24 hours, so a replayed or twice-delivered event
-- counts once, also after a restart or on another process.
CREATE TABLE processed_events (
	key TEXT PRIMARY KEY,
	processed_at TEXT NOT NULL
) STRICT;
CREATE INDEX processed_events_time ON processed_events (processed_at);
