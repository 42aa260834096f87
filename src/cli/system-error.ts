import { basename, dirname } from 'node:path'

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder',
  ENOTEMPTY: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EEXIST: 'it already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EXDEV: 'it is on another file system',
  EIO: 'an input/output error',
}

const VERBS: Record<string, string> = {
  open: 'open',
  stat: 'read',
  lstat: 'read',
  read: 'read',
  scandir: 'list',
  write: 'write',
  mkdir: 'create the folder',
  rename: 'move into place',
  link: 'move into place',
  unlink: 'remove',
  fsync: 'sync',
  chmod: 'set the mode of',
}

// sealbox's temporary output files: `.NAME.<12 hex>.tmp` (and `.~tmp.…` in folder stores)
const TEMP_NAME = /^\.(?:~tmp\.|.*\.[0-9a-f]{12}\.tmp$)/

/** The file-system errors a user can fix, in words: undefined for anything else. */
export function describeSystemError(
  error: NodeJS.ErrnoException,
): { message: string; notFound: boolean } | undefined {
  const reason = error.code === undefined ? undefined : REASONS[error.code]
  if (reason === undefined || typeof error.path !== 'string') return undefined
  let path = error.path
  let verb = VERBS[error.syscall ?? ''] ?? 'use'
  // a temporary output's name means nothing to the user: name what they gave
  if (TEMP_NAME.test(basename(path))) {
    const dest = (error as { dest?: unknown }).dest
    const target = typeof dest === 'string' ? dest : undefined
    if (target !== undefined && (error.code === 'EISDIR' || error.code === 'ENOTEMPTY')) {
      return { message: `cannot write '${target}': ${reason}`, notFound: false }
    }
    path = dirname(path)
    verb = 'write in'
    if (error.code === 'ENOENT')
      return { message: `cannot write in '${path}': the folder does not exist`, notFound: true }
  }
  return { message: `cannot ${verb} '${path}': ${reason}`, notFound: error.code === 'ENOENT' }
}
