// Numbered migrations, embedded as text so the compiled binary carries them. Append only: never edit a
// migration that has shipped; add the next number instead.
import m0001 from './0001-init.sql' with { type: 'text' }
import m0002 from './0002-streamer-control.sql' with { type: 'text' }
import m0003 from './0003-faster-reads.sql' with { type: 'text' }
import m0004 from './0004-sessions-and-events.sql' with { type: 'text' }
import m0005 from './0005-viewer-store.sql' with { type: 'text' }
import m0006 from './0006-owncast-setup.sql' with { type: 'text' }
import m0007 from './0007-events.sql' with { type: 'text' }
import m0008 from './0008-moderator-sessions.sql' with { type: 'text' }
import m0009 from './0009-economy.sql' with { type: 'text' }
import m0010 from './0010-lighter-award.sql' with { type: 'text' }
import m0011 from './0011-award-cycles.sql' with { type: 'text' }
import m0012 from './0012-poll-closed-by.sql' with { type: 'text' }

export const migrations: readonly string[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012]
