-- The event log behind /api/events, the overlays and outgoing webhooks. Each event is written in the same
-- transaction as the change it reports, with an increasing id, and kept 24 hours (a client reconnecting with
-- Last-Event-ID gets what it missed, in order).
CREATE TABLE events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL,
	-- JSON. A viewer's note is kept apart, so streams send it only to clients that ask for notes.
	data TEXT NOT NULL,
	note TEXT,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX events_time ON events (created_at);

-- Outgoing webhook deliveries: one row per event per receiver, written with the event, delivered in order per
-- receiver, retried with backoff for up to 24 hours.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	receiver TEXT NOT NULL,
	event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at TEXT NOT NULL,
	delivered_at TEXT,
	last_status INTEGER,
	last_error TEXT,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox (receiver, delivered_at, id);
