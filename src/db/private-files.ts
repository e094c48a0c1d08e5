import fs from 'node:fs';

/**
 * DATA_DIR holds the SQLite database (password hashes, TOTP secrets, every citizen's data), the
 * attachments and the session secret: nobody but the account running Guichet may read it.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Files this process creates from now on are private whatever the shell's umask (often 022, which
 * left guichet.db and its WAL world-readable). Explicit modes where files are created say the
 * same, for code that runs without this (tests, a library user).
 */
export function restrictNewFileModes(): void {
  process.umask(0o077);
}

/**
 * Creates DATA_DIR readable by its owner only, or narrows an existing one that others could read
 * or enter. Returns a warning to print when it had to narrow it (an upgrade from a version that
 * created it 0755, or a directory made by hand), null otherwise.
 */
export function preparePrivateDataDir(dir: string): string | null {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  fs.chmodSync(dir, mode & PRIVATE_DIR_MODE);
  return `Le dossier des données ${dir} était ouvert à d’autres comptes (droits ${mode.toString(8)}) : droits ramenés à ${(mode & PRIVATE_DIR_MODE).toString(8)}, lecture par le seul compte qui exécute Guichet.`;
}

/** Narrows an existing file to its owner (a database or WAL written by an older version); a missing file is fine. */
export function makePrivate(file: string): void {
  try {
    fs.chmodSync(file, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
