-- The points cycle pays everyone in chat the same amount: one row per cycle (award_cycles) and who was paid
-- (award_members, one narrow row per viewer, written in key order at the end of its table) instead of a ledger row
-- per viewer, which with its index was the award's biggest cost at 100,000 viewers. The ledger stays whole:
-- ledger_entries is every viewer's complete ledger (the ledger's rows and their cycle payments), and a viewer's
-- balance is always the sum of their deltas there. Cycle payments recorded before this migration stay ledger rows.
CREATE TABLE award_cycles (
	id INTEGER PRIMARY KEY,
	amount INTEGER NOT NULL CHECK (amount > 0),
	created_at TEXT NOT NULL,
	viewers INTEGER NOT NULL CHECK (viewers >= 0)
) STRICT;
CREATE TABLE award_members (
	cycle_id INTEGER NOT NULL REFERENCES award_cycles (id),
	viewer_id TEXT NOT NULL REFERENCES viewers (id),
	PRIMARY KEY (cycle_id, viewer_id)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER award_cycles_are_append_only_update BEFORE UPDATE ON award_cycles
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;
CREATE TRIGGER award_cycles_are_append_only_delete BEFORE DELETE ON award_cycles
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;
CREATE TRIGGER award_members_are_append_only_update BEFORE UPDATE ON award_members
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;
CREATE TRIGGER award_members_are_append_only_delete BEFORE DELETE ON award_members
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;
-- Cycles first, then a look-up of the viewer in each (CROSS JOIN keeps that order in SQLite): a viewer's cycle
-- payments without an index on viewer_id, which every award would have to update in 100,000 places.
CREATE VIEW ledger_entries AS
	SELECT viewer_id, delta, reason, redeem, redemption_id, ref, created_at, id AS ledger_id, NULL AS cycle_id FROM ledger
	UNION ALL
	SELECT member.viewer_id, cycle.amount, 'cycle', NULL, NULL, NULL, cycle.created_at, NULL, cycle.id
	FROM award_cycles AS cycle CROSS JOIN award_members AS member ON member.cycle_id = cycle.id;
