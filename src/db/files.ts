// Owner-only files: what tlapbot stores (settings with secrets, the database, backups) is readable by the account
// it runs as and no one else.
import { chmodSync, statSync } from 'node:fs'

/**
 * Takes group and other permissions off an existing file or folder (one made before this rule, or by hand).
 * Best effort: a file owned by someone else, on a read-only disk or just removed is left as it is.
 */
export function tightenMode(path: string) {
	try {
		const mode = statSync(path).mode & 0o777
		if (mode & 0o077) chmodSync(path, mode & 0o700)
	} catch (error) {
		if (!['ENOENT', 'EPERM', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error
	}
}
