import type { ObjectInfo } from '../objects/types/index.js'

/** One stored version of a secret, as a listing or a HEAD found it. */
export interface VersionRef {
  path: string
  version: number
  info: ObjectInfo
}

/** A deletion marker is the one empty object: a sealed message is never empty. */
export function isDeleted(info: ObjectInfo): boolean {
  return info.size === 0
}
