import { open, readFile, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { SealboxError } from '../../errors/index.js'

/** A lock older than this whose holder cannot be checked (another host) is taken to be stale. */
const STALE_AFTER_MS = 30_000
const WAIT_LIMIT_MS = 60_000

interface LockOwner {
  pid: number
  host: string
  token: string
}

let sequence = 0

/**
 * An exclusive lock between processes: a file created with O_EXCL (`wx`) holding the owner's
 * pid, host and a token. It is held only around a check-then-rename, so waiting is short.
 *
 * Stale rule: a lock whose owner is a dead process on this host, or (other hosts) older than
 * 30 s, is broken. Breaking is itself guarded by a second O_EXCL file, and the breaker re-reads
 * the lock's token just before removing it, so two waiters never both remove a fresh lock.
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>): Promise<T> {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: `${process.pid}.${Date.now()}.${++sequence}`,
  }
  await acquire(path, owner)
  try {
    return await action()
  } finally {
    await release(path, owner)
  }
}

async function acquire(path: string, owner: LockOwner): Promise<void> {
  const started = Date.now()
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(path, JSON.stringify(owner))) return
    await breakIfStale(path)
    if (Date.now() - started > WAIT_LIMIT_MS) {
      throw new SealboxError('IoError', `could not lock ${path}: another writer holds it`, {
        hint: 'if no sealbox process is running, remove the lock file',
      })
    }
    await sleep(Math.min(1 + attempt, 25) * (0.5 + Math.random()))
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600)
    try {
      await handle.writeFile(content)
    } finally {
      await handle.close()
    }
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
}

async function readOwner(
  path: string,
): Promise<{ owner: LockOwner | undefined; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)])
    let owner: LockOwner | undefined
    try {
      owner = JSON.parse(text) as LockOwner
    } catch {
      owner = undefined // being written right now, or damaged: judged by age
    }
    return { owner, ageMs: Date.now() - info.mtimeMs }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}

function isStale(found: { owner: LockOwner | undefined; ageMs: number }): boolean {
  const { owner, ageMs } = found
  if (owner !== undefined && owner.host === hostname() && Number.isInteger(owner.pid)) {
    return !processAlive(owner.pid)
  }
  return ageMs > STALE_AFTER_MS
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function breakIfStale(path: string): Promise<void> {
  const seen = await readOwner(path)
  if (seen === undefined || !isStale(seen)) return
  const breaker = `${path}.break`
  if (!(await tryCreate(breaker, String(process.pid)))) {
    const other = await readOwner(breaker)
    // a breaker that died mid-break leaves its file: it is only ever held for a moment
    if (other !== undefined && other.ageMs > STALE_AFTER_MS)
      await unlink(breaker).catch(ignoreMissing)
    return
  }
  try {
    const again = await readOwner(path)
    if (again !== undefined && isStale(again) && again.owner?.token === seen.owner?.token) {
      await unlink(path).catch(ignoreMissing)
    }
  } finally {
    await unlink(breaker).catch(ignoreMissing)
  }
}

async function release(path: string, owner: LockOwner): Promise<void> {
  const found = await readOwner(path)
  if (found?.owner?.token === owner.token) await unlink(path).catch(ignoreMissing)
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
}
