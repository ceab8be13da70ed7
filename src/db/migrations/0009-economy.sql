-- Economy: predictions, polls, giving points, earning bonuses and the leaderboard.

-- The ledger gets the new reasons (SQLite cannot change a CHECK: the table is rebuilt, every row kept) and `ref`,
-- what a row belongs to: "prediction:<id>", "poll:<name>:<id>", the other viewer of a gift, the bonus rule.
DROP TRIGGER ledger_is_append_only_update;
DROP TRIGGER ledger_is_append_only_delete;
CREATE TABLE ledger_new (
	id INTEGER PRIMARY KEY,
	viewer_id TEXT NOT NULL REFERENCES viewers (id),
	delta INTEGER NOT NULL,
	reason TEXT NOT NULL CHECK (reason IN (
		'starting', 'cycle', 'redeem', 'donation', 'refund', 'import', 'moderator',
		'bet', 'payout', 'bet_refund', 'vote', 'give', 'bonus'
	)),
	redeem TEXT,
	redemption_id INTEGER REFERENCES redemptions (id),
	created_at TEXT NOT NULL,
	ref TEXT
) STRICT;
INSERT INTO ledger_new (id, viewer_id, delta, reason, redeem, redemption_id, created_at)
	SELECT id, viewer_id, delta, reason, redeem, redemption_id, created_at FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_viewer ON ledger (viewer_id);
CREATE INDEX ledger_redemption ON ledger (redemption_id) WHERE redemption_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_one_refund ON ledger (redemption_id) WHERE reason = 'refund';
CREATE INDEX ledger_redeem_uses ON ledger (redeem, created_at) WHERE reason IN ('redeem', 'donation');
CREATE INDEX ledger_viewer_redeem_uses ON ledger (viewer_id, redeem, created_at) WHERE reason IN ('redeem', 'donation');
-- A prediction pays out or refunds each bettor at most once.
CREATE UNIQUE INDEX ledger_one_settlement ON ledger (ref, viewer_id) WHERE reason IN ('payout', 'bet_refund');
-- Gifts of the last 24 hours, per sender (give_max_per_day).
CREATE INDEX ledger_gifts ON ledger (viewer_id, created_at) WHERE reason = 'give';
CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;
CREATE TRIGGER ledger_is_append_only_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;

-- Viewers: hidden from the leaderboard (!hide); points earned from being in chat in all, this stream and this
-- month (kept up to date by the award, for !give's farming check and the leaderboard); streaks of streams.
ALTER TABLE viewers ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1));
ALTER TABLE viewers ADD COLUMN earned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE viewers ADD COLUMN stream_earned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE viewers ADD COLUMN earned_stream INTEGER;
ALTER TABLE viewers ADD COLUMN month_earned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE viewers ADD COLUMN earned_month TEXT;
-- The last stream a viewer was seen in by a points cycle, and how many streams in a row up to it.
ALTER TABLE viewers ADD COLUMN last_stream INTEGER;
ALTER TABLE viewers ADD COLUMN streak INTEGER NOT NULL DEFAULT 0;
-- The stream in which the viewer last got the first-message bonus.
ALTER TABLE viewers ADD COLUMN first_chat_stream INTEGER;
-- What chat earned so far (before this migration: the cycle rows), so !give's check works from the start.
UPDATE viewers SET earned = coalesce((SELECT sum(delta) FROM ledger WHERE ledger.viewer_id = viewers.id AND reason = 'cycle'), 0);
CREATE INDEX viewers_balance ON viewers (balance DESC);
CREATE INDEX viewers_stream_earned ON viewers (earned_stream, stream_earned DESC);
CREATE INDEX viewers_month_earned ON viewers (earned_month, month_earned DESC);

-- Predictions: one open at a time; outcomes as a JSON list of names; the pool is the sum of the bets.
CREATE TABLE predictions (
	id INTEGER PRIMARY KEY,
	question TEXT NOT NULL,
	outcomes TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'locked', 'resolved', 'cancelled')),
	-- Betting ends then (unix ms), or when a moderator locks it.
	closes_at INTEGER,
	winner INTEGER,
	opened_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	locked_at TEXT,
	settled_at TEXT
) STRICT;
CREATE UNIQUE INDEX predictions_one_active ON predictions ((1)) WHERE status IN ('open', 'locked');
CREATE TABLE prediction_bets (
	prediction_id INTEGER NOT NULL REFERENCES predictions (id),
	viewer_id TEXT NOT NULL REFERENCES viewers (id),
	outcome INTEGER NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	created_at TEXT NOT NULL,
	PRIMARY KEY (prediction_id, viewer_id)
) STRICT;
-- Pools per outcome, summed often (every bet's answer, the dashboard), without visiting every bet row.
CREATE INDEX prediction_bets_pools ON prediction_bets (prediction_id, outcome, amount);

-- Polls: from redeems.toml ([polls.<name>]) or opened by a moderator; votes spend points (they are gone).
CREATE TABLE polls (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL COLLATE NOCASE,
	question TEXT NOT NULL,
	options TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	opened_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	closed_at TEXT
) STRICT;
CREATE UNIQUE INDEX polls_one_open_per_name ON polls (name) WHERE status = 'open';
CREATE TABLE poll_votes (
	poll_id INTEGER NOT NULL REFERENCES polls (id),
	viewer_id TEXT NOT NULL REFERENCES viewers (id),
	option INTEGER NOT NULL,
	points INTEGER NOT NULL CHECK (points > 0),
	PRIMARY KEY (poll_id, viewer_id, option)
) STRICT;
