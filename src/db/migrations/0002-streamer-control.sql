-- Streamer control: redemption statuses and refunds, redeem limits, moderation, streams.

-- A redemption is refunded at most once, whatever races happen.
CREATE UNIQUE INDEX ledger_one_refund ON ledger (redemption_id) WHERE reason = 'refund';
-- Cooldowns and per-stream limits look up recent uses of a redeem (every use has a ledger row).
CREATE INDEX ledger_redeem_uses ON ledger (redeem, created_at) WHERE reason IN ('redeem', 'donation');

-- Streams, from STREAM_STARTED (or the points cycle seeing the stream come online) to STREAM_STOPPED.
CREATE TABLE streams (
	id INTEGER PRIMARY KEY,
	started_at TEXT NOT NULL,
	ended_at TEXT
) STRICT;

-- Run-time state of a redeem that moderators change: paused, and how much of its stock is used.
CREATE TABLE redeem_controls (
	name TEXT PRIMARY KEY COLLATE NOCASE,
	paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
	stock_used INTEGER NOT NULL DEFAULT 0 CHECK (stock_used >= 0)
) STRICT;

-- Who did what, when: moderator commands and admin page actions.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	detail TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_time ON audit_log (created_at);

-- One-time admin login links (only a hash of the token is kept).
CREATE TABLE admin_links (
	token_hash TEXT PRIMARY KEY,
	expires_at TEXT NOT NULL,
	used_at TEXT
) STRICT;

-- Per-viewer cooldowns and limits look up one viewer's uses of one redeem.
CREATE INDEX ledger_viewer_redeem_uses ON ledger (viewer_id, redeem, created_at) WHERE reason IN ('redeem', 'donation');
