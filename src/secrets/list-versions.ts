import type { ObjectStore } from '../objects/types/index.js'
import { anyGlob } from './glob.js'
import type { Layout } from './layout.js'
import { isDeleted, type VersionRef } from './version-ref.js'

/** Every version of one secret, oldest first (all pages of its listing). */
export async function listVersions(
  objects: ObjectStore,
  layout: Layout,
  path: string,
): Promise<VersionRef[]> {
  const prefix = layout.versionsPrefix(path)
  const out: VersionRef[] = []
  for await (const page of objects.list({ prefix })) {
    for (const info of page.objects) {
      const parsed = layout.parse(info.key)
      if (parsed !== undefined && parsed.path === path) out.push({ ...parsed, info })
    }
  }
  return out.sort((a, b) => a.version - b.version)
}

/** The latest version of every secret matching `patterns` (all when none), sorted by path. */
export async function listLatest(
  objects: ObjectStore,
  layout: Layout,
  patterns: readonly string[],
  includeDeleted: boolean,
): Promise<VersionRef[]> {
  const glob = anyGlob(patterns)
  const latest = new Map<string, VersionRef>()
  for await (const page of objects.list({
    prefix: layout.prefix + glob.literalPrefix,
  })) {
    for (const info of page.objects) {
      const parsed = layout.parse(info.key)
      if (parsed === undefined || !glob.matches(parsed.path)) continue
      const current = latest.get(parsed.path)
      if (current === undefined || parsed.version > current.version)
        latest.set(parsed.path, { ...parsed, info })
    }
  }
  return [...latest.values()]
    .filter((r) => includeDeleted || !isDeleted(r.info))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
