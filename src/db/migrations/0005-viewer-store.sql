-- The viewer store: viewers sign in on the dashboard (a code typed in chat, or a personal link from !store) and
-- redeem from the page.

-- Browser sessions of viewers, bound to the Owncast user id (names change). Only a hash of the token is kept.
CREATE TABLE viewer_sessions (
	id_hash TEXT PRIMARY KEY,
	viewer_id TEXT NOT NULL REFERENCES viewers (id),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	-- How it was signed in ('code' or 'link') and the browser, for the admin page's list.
	method TEXT NOT NULL CHECK (method IN ('code', 'link')),
	user_agent TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX viewer_sessions_viewer ON viewer_sessions (viewer_id);
CREATE INDEX viewer_sessions_expiry ON viewer_sessions (expires_at);

-- Sign-in codes shown on the page ("type !link 4KQ9ZP"): single use, 5 minutes. The page proves it made the
-- code with a claim secret (hashed here) when it collects its session.
CREATE TABLE viewer_link_codes (
	code TEXT PRIMARY KEY,
	claim_hash TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	viewer_id TEXT REFERENCES viewers (id),
	linked_at TEXT,
	claimed_at TEXT
) STRICT;
CREATE INDEX viewer_link_codes_expiry ON viewer_link_codes (expires_at);

-- Personal login links sent privately by !store: single use, 10 minutes, hashed.
CREATE TABLE viewer_login_tokens (
	token_hash TEXT PRIMARY KEY,
	viewer_id TEXT NOT NULL REFERENCES viewers (id),
	expires_at TEXT NOT NULL,
	used_at TEXT
) STRICT;
CREATE INDEX viewer_login_tokens_expiry ON viewer_login_tokens (expires_at);

-- One click, one redemption: the answer to a page request with an Idempotency-Key, per viewer, for 24 hours.
CREATE TABLE idempotency_keys (
	viewer_id TEXT NOT NULL,
	key TEXT NOT NULL,
	response TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (viewer_id, key)
) STRICT;
CREATE INDEX idempotency_keys_time ON idempotency_keys (created_at);

-- Where a redemption came from: a chat command or the store page.
ALTER TABLE redemptions ADD COLUMN source TEXT NOT NULL DEFAULT 'chat' CHECK (source IN ('chat', 'page'));
-- Why a moderator rejected it (shown to the viewer in their activity).
ALTER TABLE redemptions ADD COLUMN reason TEXT;
