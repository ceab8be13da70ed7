-- Viewers are keyed by their Owncast user id: display names are not unique and change.
CREATE TABLE viewers (
	id TEXT PRIMARY KEY,
	display_name TEXT NOT NULL,
	balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
	is_bot INTEGER NOT NULL DEFAULT 0 CHECK (is_bot IN (0, 1)),
	is_moderator INTEGER NOT NULL DEFAULT 0 CHECK (is_moderator IN (0, 1)),
	created_at TEXT NOT NULL,
	seen_at TEXT NOT NULL
) STRICT;
CREATE INDEX viewers_display_name ON viewers (display_name COLLATE NOCASE);

-- One row per list or note redeem. Rows are never deleted: clearing the queue only archives them.
CREATE TABLE redemptions (
	id INTEGER PRIMARY KEY,
	redeem TEXT NOT NULL,
	redeem_type TEXT NOT NULL CHECK (redeem_type IN ('list', 'note')),
	viewer_id TEXT NOT NULL REFERENCES viewers (id),
	cost INTEGER NOT NULL CHECK (cost >= 0),
	note TEXT,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fulfilled', 'rejected', 'cancelled')),
	created_at TEXT NOT NULL,
	resolved_at TEXT,
	cleared_at TEXT
) STRICT;
CREATE INDEX redemptions_queue ON redemptions (cleared_at, created_at);
CREATE INDEX redemptions_viewer ON redemptions (viewer_id);

-- Append-only: a viewer's balance always equals the sum of their ledger rows.
CREATE TABLE ledger (
	id INTEGER PRIMARY KEY,
	viewer_id TEXT NOT NULL REFERENCES viewers (id),
	delta INTEGER NOT NULL,
	reason TEXT NOT NULL CHECK (reason IN ('starting', 'cycle', 'redeem', 'donation', 'refund', 'import', 'moderator')),
	redeem TEXT,
	redemption_id INTEGER REFERENCES redemptions (id),
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX ledger_viewer ON ledger (viewer_id);
CREATE INDEX ledger_redemption ON ledger (redemption_id);

CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;
CREATE TRIGGER ledger_is_append_only_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;

CREATE TABLE counters (
	name TEXT PRIMARY KEY COLLATE NOCASE,
	count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0)
) STRICT;

CREATE TABLE milestones (
	name TEXT PRIMARY KEY COLLATE NOCASE,
	progress INTEGER NOT NULL DEFAULT 0 CHECK (progress >= 0),
	goal INTEGER NOT NULL CHECK (goal > 0),
	completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
	completed_at TEXT
) STRICT;

-- Small key/value state shared by every process on this database (last points award, live state).
CREATE TABLE bot_state (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- What import-legacy has already brought in, so that a second run changes nothing.
CREATE TABLE legacy_imports (
	kind TEXT NOT NULL,
	key TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	PRIMARY KEY (kind, key)
) STRICT;
