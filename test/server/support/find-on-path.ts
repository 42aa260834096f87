import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The executable `name` on the PATH, if any (looked up without running it). */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}
