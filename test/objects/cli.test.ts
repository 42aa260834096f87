import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { FsObjectStore } from '../../src/objects/fs/index.js'
import { S3ObjectStore } from '../../src/objects/s3/index.js'
import type { ObjectStore } from '../../src/objects/types/index.js'
import { startS3rver, type S3Server } from '../helpers/s3-server.js'
import { collect } from './conformance-suite.js'

const MAIN = resolve(import.meta.dirname, '../../src/cli/main.js')

interface Result {
  code: number | null
  stdout: Buffer
  stderr: string
}

interface Box {
  root: string
  env: NodeJS.ProcessEnv
  /** `local://bkt` or `s3://<bucket>` */
  base: string
  store: ObjectStore
}

function sealbox(box: Box, args: string[], input?: string | Uint8Array): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: box.root, env: box.env })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out), stderr }))
    child.stdin.on('error', () => {})
    child.stdin.end(input ?? '')
  })
}

function ok(r: Result): Result {
  assert.equal(r.code, 0, `stderr: ${r.stderr}`)
  return r
}

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) % 256
  return b
}

for (const kind of ['local', 's3rver'] as const) {
  void describe(`sealbox cp / ls / rm on ${kind}`, () => {
    let server: S3Server | undefined
    let box: Box
    // each sealbox process that reaches S3 loads the AWS SDK (about a second here): the S3 run
    // keeps to the cases that differ by store; usage and context cases run on the local store
    const full = kind === 'local'

    before(async () => {
      // tmpfs when there is one: the keystore's and the store's fsyncs are not under test here
      const root = mkdtempSync(
        join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `sealbox-cp-${kind}-`),
      )
      mkdirSync(join(root, 'home'))
      const env: NodeJS.ProcessEnv = {
        PATH: process.env['PATH'],
        HOME: root,
        SEALBOX_HOME: join(root, 'home'),
        NODE_NO_WARNINGS: '1',
      }
      if (kind === 'local') {
        box = {
          root,
          env,
          base: 'local://bkt',
          store: new FsObjectStore({ root: join(root, 'home/buckets/bkt') }),
        }
      } else {
        server = await startS3rver()
        Object.assign(env, server.env)
        Object.assign(process.env, server.env, {
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        })
        const store = new S3ObjectStore({
          bucket: server.bucket,
          env: { ...process.env, ...server.env },
        })
        box = { root, env, base: `s3://${server.bucket}`, store }
      }
    })
    after(async () => {
      await server?.stop()
      rmSync(box.root, { recursive: true, force: true })
    })

    void test('a file goes in sealed and comes out the same; stdin to stdout too', async () => {
      const data = bytes(300_000, 1)
      writeFileSync(join(box.root, 'in.bin'), data)
      ok(await sealbox(box, ['cp', 'in.bin', `${box.base}/docs/in.bin`]))
      const stored = await collect((await box.store.get('docs/in.bin')).body)
      assert.ok(
        stored.length > data.length && stored.indexOf(data.subarray(0, 64)) < 0,
        'stored sealed',
      )
      ok(await sealbox(box, ['cp', `${box.base}/docs/in.bin`, 'out.bin']))
      assert.ok(readFileSync(join(box.root, 'out.bin')).equals(data))
      if (!full) return
      assert.equal(
        (await sealbox(box, ['cp', '-', `${box.base}/docs/`], 'x')).code,
        2,
        'stdin needs a full key',
      )
      ok(
        await sealbox(
          box,
          ['cp', '-', `${box.base}/docs/piped`, '--context', 'team=blue'],
          'from stdin',
        ),
      )
      const out = ok(
        await sealbox(box, ['cp', `${box.base}/docs/piped`, '-', '--context', 'team=blue']),
      )
      assert.equal(out.stdout.toString(), 'from stdin')
      const wrong = await sealbox(box, [
        'cp',
        `${box.base}/docs/piped`,
        '-',
        '--context',
        'team=red',
      ])
      assert.equal(wrong.code, 4, 'a --context pair given on the way out must match')
      assert.match(wrong.stderr, /context/)
      assert.equal(wrong.stdout.length, 0)
      ok(await sealbox(box, ['cp', 'in.bin', `${box.base}/docs/named/`]))
      assert.ok((await box.store.head('docs/named/in.bin')) !== undefined)
    })

    void test('an object copied or renamed by other means is refused with WrongLocation', async () => {
      ok(await sealbox(box, ['cp', '-', `${box.base}/wl/original`], 'secret text'))
      const sealed = await collect((await box.store.get('wl/original')).body)
      await box.store.put('wl/copy', sealed)
      const r = await sealbox(box, ['cp', `${box.base}/wl/copy`, 'copy.txt'])
      assert.equal(r.code, 4)
      assert.match(r.stderr, /sealed for another location: bucket '[^']+', key 'wl\/original'/)
      assert.deepEqual(
        readdirSync(box.root).filter((n) => n.includes('copy')),
        [],
        'nothing written',
      )
      // copied with cp it is re-encrypted for its new place, and reads back
      ok(await sealbox(box, ['cp', `${box.base}/wl/original`, `${box.base}/wl/moved`]))
      const back = ok(await sealbox(box, ['cp', `${box.base}/wl/moved`, '-']))
      assert.equal(back.stdout.toString(), 'secret text')
    })

    void test('an existing destination needs --force; a stale overwrite is refused even with it', async () => {
      ok(await sealbox(box, ['cp', '-', `${box.base}/ow/k`], 'one'))
      const refused = await sealbox(box, ['cp', '-', `${box.base}/ow/k`], 'two')
      assert.equal(refused.code, 6)
      assert.match(refused.stderr, /already exists/)
      assert.match(refused.stderr, /--force/)
      const before = (await box.store.head('ow/k'))!.etag
      ok(await sealbox(box, ['cp', '-', `${box.base}/ow/k`, '--force'], 'two'))
      assert.notEqual((await box.store.head('ow/k'))!.etag, before)
      if (full) {
        const two = ok(await sealbox(box, ['cp', `${box.base}/ow/k`, '-']))
        assert.equal(two.stdout.toString(), 'two')
      }

      // a writer that replaces the object while cp streams its input: cp must not overwrite it
      const child = spawn(process.execPath, [MAIN, 'cp', '-', `${box.base}/ow/k`, '--force'], {
        cwd: box.root,
        env: box.env,
      })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      const exited = new Promise<number | null>((done) => child.on('close', done))
      child.stdin.on('error', () => {}) // an early exit shows in the status below
      // cp reads its input only after it has looked at the destination: once 2 MiB are taken,
      // the etag it will insist on is fixed
      await new Promise<void>((done) => {
        if (child.stdin.write(bytes(2 * 1024 * 1024, 2))) done()
        else child.stdin.once('drain', done)
      })
      await box.store.put('ow/k', Buffer.from('the other writer'))
      child.stdin.end(bytes(1000, 3))
      assert.equal(await exited, 6, stderr)
      assert.match(stderr, /refused|replaced/)
      assert.equal(
        (await collect((await box.store.get('ow/k')).body)).toString(),
        'the other writer',
      )
    })

    void test('ls: one level by default, --recursive, json; rm and rm --recursive', async () => {
      for (const k of ['tree/a', 'tree/sub/b', 'tree/sub/deep/c'])
        await box.store.put(k, Buffer.from(k))
      const level = ok(await sealbox(box, ['ls', `${box.base}/tree/`]))
        .stdout.toString()
        .trimEnd()
        .split('\n')
      assert.equal(level.length, 2)
      assert.match(level[0]!, /^\s+PRE tree\/sub\/$/)
      assert.match(level[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\d+ tree\/a$/)
      const all = JSON.parse(
        ok(
          await sealbox(box, ['ls', '-r', `${box.base}/tree/`, '--output', 'json']),
        ).stdout.toString(),
      ) as Array<{
        key: string
        size: number
        modified: string
      }>
      assert.deepEqual(
        all.map((o) => o.key),
        ['tree/a', 'tree/sub/b', 'tree/sub/deep/c'],
      )
      assert.ok(all.every((o) => o.size > 0 && !Number.isNaN(Date.parse(o.modified))))
      if (full) {
        const none = ok(await sealbox(box, ['ls', `${box.base}/nothing/`, '--output', 'json']))
        assert.equal(none.stdout.toString(), '[]\n')
        const folder = await sealbox(box, ['rm', `${box.base}/tree/`])
        assert.equal(folder.code, 2)
      }
      assert.equal(
        ok(await sealbox(box, ['rm', `${box.base}/tree/a`])).stdout.toString(),
        `removed ${box.base}/tree/a\n`,
      )
      if (full) assert.equal((await sealbox(box, ['rm', `${box.base}/tree/a`])).code, 3)
      const removed = ok(
        await sealbox(box, ['rm', '--recursive', `${box.base}/tree/`]),
      ).stdout.toString()
      assert.equal(removed, `removed ${box.base}/tree/sub/b\nremoved ${box.base}/tree/sub/deep/c\n`)
      assert.deepEqual(await box.store.head('tree/sub/b'), undefined)
    })
  })
}
