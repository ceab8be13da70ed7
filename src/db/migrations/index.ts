// Numbered migrations, embedded as text so the compiled binary carries them. Append only: never edit a
// migration that has shipped; add the next number instead.
import m0001 from './0001-init.sql' with { type: 'text' }
import m0002 from './0002-streamer-control.sql' with { type: 'text' }
import m0003 from './0003-faster-reads.sql' with { type: 'text' }
import m0004 from './0004-sessions-and-events.sql' with { type: 'text' }
import m0005 from './0005-viewer-store.sql' with { type: 'text' }

export const migrations: readonly string[] = [m0001, m0002, m0003, m0004, m0005]
