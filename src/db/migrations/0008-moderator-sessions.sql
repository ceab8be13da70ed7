-- Moderators sign in to the admin page from chat (`!link CODE` shown on the login page): their sessions name
-- them, so the audit log says who did what. NULL for sessions made with the admin password or a login link.
ALTER TABLE admin_sessions ADD COLUMN viewer_id TEXT;
ALTER TABLE admin_sessions ADD COLUMN actor TEXT;

-- What a sign-in code is for: the viewer's dashboard ('store') or the admin page ('admin', moderators only).
ALTER TABLE viewer_link_codes ADD COLUMN purpose TEXT NOT NULL DEFAULT 'store';
