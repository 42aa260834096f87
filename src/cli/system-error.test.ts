import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { after, test } from 'node:test'
import { EXIT } from './exit-codes.js'
import { reportFailure } from './output.js'
import { describeSystemError } from './system-error.js'

const dir = mkdtempSync(join(tmpdir(), 'sealbox-system-error-'))
after(() => rmSync(dir, { recursive: true, force: true }))

async function caught(fn: () => Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await fn()
  } catch (e) {
    return e as NodeJS.ErrnoException
  }
  throw new Error('expected a failure')
}

function collect(): { stream: Writable & { text: string } } {
  const stream = {
    text: '',
    write(chunk: string) {
      stream.text += chunk
      return true
    },
  }
  return { stream: stream as unknown as Writable & { text: string } }
}

test('a missing input is named, as not found', async () => {
  const e = await caught(() => readFile(join(dir, 'nope.sealed')))
  assert.deepEqual(describeSystemError(e), {
    message: `cannot open '${join(dir, 'nope.sealed')}': no such file or folder`,
    notFound: true,
  })
})

test('a temporary output in a missing folder names the folder, not the temporary file', async () => {
  const folder = join(dir, 'sub', 'none')
  const e = await caught(() => open(join(folder, '.x.sealed.0123456789ab.tmp'), 'wx'))
  assert.deepEqual(describeSystemError(e), {
    message: `cannot write in '${folder}': the folder does not exist`,
    notFound: true,
  })
})

test('a rename onto a folder names the output', async () => {
  const temp = join(dir, '.out.0123456789ab.tmp')
  const target = join(dir, 'od')
  await mkdir(target)
  await (await open(temp, 'w')).close()
  const e = await caught(() => rename(temp, target))
  assert.deepEqual(describeSystemError(e), {
    message: `cannot write '${target}': it is a folder`,
    notFound: false,
  })
})

test('reportFailure: file-system errors exit 3 or 8 in words; EPIPE is a failure; anything else is a bug', async () => {
  const missing = collect()
  assert.equal(
    reportFailure(await caught(() => readFile(join(dir, 'gone'))), missing.stream),
    EXIT.notFound,
  )
  assert.match(missing.stream.text, /^sealbox: error: cannot open '.*gone': no such file/)
  const pipe = collect()
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' })
  assert.equal(reportFailure(epipe, pipe.stream), EXIT.io)
  assert.match(pipe.stream.text, /closed before everything was written/)
  const bug = collect()
  assert.equal(reportFailure(new TypeError('x is undefined'), bug.stream), EXIT.failure)
  assert.match(bug.stream.text, /internal error/)
})
