-- What `tlapbot connect` made in an Owncast server (access token, webhook, external action), one row per Owncast
-- address, so a later run replaces its own things and never touches anything it did not make. No secret is kept:
-- the access token and the webhook secret only as sha256 digests, to recognise them.
CREATE TABLE owncast_setup (
	owncast_url TEXT PRIMARY KEY,
	-- The access token connect created: its name (the bot's chat name) and the sha256 of its value.
	token_name TEXT,
	token_hash TEXT,
	-- The webhook connect registered: Owncast's id, the sha256 of the secret it was given, its URL (secret masked).
	webhook_id INTEGER,
	webhook_secret_hash TEXT,
	webhook_url TEXT,
	-- The external action connect added, found again by its URL and title.
	action_url TEXT,
	action_title TEXT,
	-- Things connect replaced but could not delete yet, tried again on the next run: a JSON array of
	-- {"kind":"token","hash":...} and {"kind":"webhook","id":...}.
	leftovers TEXT NOT NULL DEFAULT '[]',
	updated_at TEXT NOT NULL
) STRICT;
