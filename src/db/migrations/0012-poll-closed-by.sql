-- Who closed a poll: 'redeems.toml' when the file dropped or changed it, else the moderator or admin. A poll of the
-- file that a person closed stays closed at the next reload or start, until the file's poll changes.
ALTER TABLE polls ADD COLUMN closed_by TEXT;
CREATE INDEX polls_by_name ON polls (name, id);
