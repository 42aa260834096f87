import type { BigIntStats } from 'node:fs'

/**
 * The etag of a file in a folder store, derived from its inode number, size and modification
 * time in nanoseconds: atomic with the file (no sidecar to fall out of step), the same in every
 * process, and new on every write, because a write is a new file renamed into place and the
 * store moves a new file's mtime past the one it replaces (see `FsObjectStore.put`).
 */
export function etagOf(stats: BigIntStats): string {
  return `${stats.ino.toString(36)}-${stats.size.toString(36)}-${stats.mtimeNs.toString(36)}`
}
