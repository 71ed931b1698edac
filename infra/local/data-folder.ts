import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageUnavailableError } from '../../shared/errors.js';

// The local stack's data folder: whether it can be written, and which file-system errors mean it cannot.

const diskErrorCodes = ['ENOSPC', 'EACCES', 'EROFS', 'EPERM', 'EDQUOT', 'EIO'];

/** The code of a file-system error that a full, read-only or forbidden folder causes; else undefined. */
export function diskErrorCode(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && diskErrorCodes.includes(code) ? code : undefined;
}

/**
 * Creates `folder` when missing and checks that a file can be written in it, so a read-only or
 * full data folder stops the start with a message naming it (LevelDB would say only
 * "Database is closed").
 */
export function assertWritable(folder: string): void {
  const probe = join(folder, `.write-check-${process.pid}`);
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(probe, 'ok\n');
    unlinkSync(probe);
  } catch (error) {
    const code =
      diskErrorCode(error) ?? (error instanceof Error ? ((error as { code?: string }).code ?? 'EIO') : 'EIO');
    throw new StorageUnavailableError(
      `data folder ${folder} is not writable (${code}); free space, fix its permissions or mount, or set DATA_DIR to another folder`,
      folder,
      30,
      { cause: error },
    );
  }
}
