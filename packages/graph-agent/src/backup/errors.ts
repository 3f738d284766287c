// Backup errors: an HTTP status and a stable code for the API (api.ts), and the mapping of a
// storage failure to one that names the cause.

import { UNWRITABLE_CODES, type BackupStorage } from './storage.js';

export class BackupError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Map a storage failure to an API error naming the cause: never a silent success. */
export function storageError(err: unknown, storage: BackupStorage, doing: string): BackupError {
  if (err instanceof BackupError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? 'EIO';
  if (UNWRITABLE_CODES.has(code)) {
    return new BackupError(
      507,
      'repository_unwritable',
      `backup repository ${storage.location} is not writable while ${doing}: ${code} (${e.message})`,
    );
  }
  return new BackupError(
    503,
    'repository_unavailable',
    `backup repository ${storage.location} is unavailable while ${doing}: ${code} (${e?.message ?? String(err)})`,
  );
}
