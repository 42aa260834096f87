import { SealboxError } from '../errors/index.js'
import { printable } from './secret-path.js'

/**
 * A tar (and a folder) cannot hold `app` as a file and `app/db` under it: refuse such a pack up
 * front rather than produce an archive that cannot be extracted.
 */
export function refuseFileFolderClash(paths: readonly string[]): void {
  const all = new Set(paths)
  for (const path of paths) {
    for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
      const parent = path.slice(0, at)
      if (all.has(parent)) {
        throw new SealboxError(
          'UsageError',
          `secrets '${printable(parent)}' and '${printable(path)}' cannot both be packed: a tar cannot hold a file and a folder of one name`,
          { hint: 'pack them separately with narrower patterns' },
        )
      }
    }
  }
}
