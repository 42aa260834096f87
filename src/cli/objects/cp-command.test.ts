import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { FsObjectStore } from '../../objects/fs/index.js'
import type { Runtime } from '../runtime/index.js'
import { runCp } from './cp-command.js'

void test('cp to a terminal is refused with a hint cp can follow (no -o)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sealbox-cp-tty-'))
  try {
    const store = new FsObjectStore({ root, location: 'local://bkt/' })
    await store.put('x', Buffer.from('sealed'))
    const runtime = {
      objectStore: () => Promise.resolve({ store, key: 'x' }),
    } as unknown as Runtime
    const tty = Object.assign(new PassThrough(), { isTTY: true })
    const io = { stdin: new PassThrough(), stdout: tty, stderr: new PassThrough() }
    await assert.rejects(runCp(runtime, 'local://bkt/x', '-', {}, io), (e: unknown) => {
      const error = e as { code: string; message: string; hint?: string }
      assert.equal(error.code, 'UsageError')
      assert.match(error.message, /refusing to write decrypted data to a terminal/)
      assert.match(error.hint ?? '', /destination|redirect/)
      assert.doesNotMatch(error.hint ?? '', /-o\b/)
      return true
    })
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
