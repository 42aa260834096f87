import { link, rename, unlink } from 'node:fs/promises'
import { existsError } from './exists-error.js'

/**
 * Puts the finished file `from` at `to`: renamed over it with `force`, else hard-linked, so a file
 * that appeared at `to` meanwhile is still not replaced (AlreadyExists).
 */
export async function placeFile(from: string, to: string, force: boolean): Promise<void> {
  if (force) {
    await rename(from, to)
    return
  }
  try {
    await link(from, to)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(to)
    throw e
  }
  await unlink(from)
}
