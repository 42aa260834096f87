import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'
import { HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3'
import { FsObjectStore } from '../../src/objects/fs/index.js'
import { MOTO_MISSING, motoAvailable, startMoto, type S3Server } from '../helpers/s3-server.js'
import { cliRoot, startCli, type CliRun } from './cli-process.js'

/**
 * Big enough that the copy (decrypt, re-encrypt, write) takes a good fraction of a second here;
 * the test freezes the copy once it is seen under way, so the size only has to outlast that.
 */
const SIZE = 128 * 1024 * 1024

function start(root: string, env: NodeJS.ProcessEnv, args: string[]): CliRun {
  const r = startCli(root, env, args)
  r.child.stdout!.resume()
  r.child.stdin!.end()
  return r
}

async function run(root: string, env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  const r = start(root, env, args)
  assert.equal(await r.exited, 0, `${args.join(' ')}: ${r.stderr()}`)
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  everyMs = 50,
): Promise<void> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    if (await check()) return
    await sleep(everyMs)
  }
  throw new Error(`timed out waiting until ${what}`)
}

/**
 * Freezes the copy where it is (SIGSTOP) and waits until the kernel reports it stopped, so what
 * the test then sees of the destination stays as it is until the interrupt is on its way.
 */
async function freeze(child: ChildProcess): Promise<void> {
  child.kill('SIGSTOP')
  const stat = `/proc/${child.pid}/stat`
  if (!existsSync(stat)) return sleep(200) // no procfs: give the signal time to land
  // the state is the field after the command name, which is in parentheses
  const state = (): string => {
    const line = readFileSync(stat, 'utf8')
    return line.slice(line.lastIndexOf(')') + 2, line.lastIndexOf(')') + 3)
  }
  await until('the copy is stopped', () => state() === 'T', 5)
}

/** Ctrl-C arrives while the copy is frozen mid-way; it is handled as soon as the copy resumes. */
function interrupt(child: ChildProcess): void {
  child.kill('SIGINT')
  child.kill('SIGCONT')
}

/** A child a failed assertion left frozen or running is killed, so the run does not hang. */
function settle(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

void describe('sealbox cp from one store to another, interrupted mid-copy', () => {
  let root: string
  let env: NodeJS.ProcessEnv
  let buckets: string
  let server: S3Server | undefined
  const store = (bucket: string): FsObjectStore =>
    new FsObjectStore({ root: join(buckets, bucket), bucket: true })

  before(async () => {
    ;({ root, buckets, env } = cliRoot('sealbox-cp-s2s-'))
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(SIZE, 7))
    await run(root, env, ['cp', 'big.bin', 'local://src/big.bin'])
    rmSync(join(root, 'big.bin'))
    writeFileSync(join(root, 'other.txt'), 'already there')
    await run(root, env, ['cp', 'other.txt', 'local://dst/other.txt'])
    server = await startMoto()
  })
  after(async () => {
    await server?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  void test('SIGINT during a local-to-local copy: exit 130, no object, no temp file', async (t) => {
    const source = await store('src').head('big.bin')
    assert.ok(source !== undefined && source.size > SIZE)
    const folder = join(buckets, 'dst')
    const temps = (): string[] => readdirSync(folder).filter((n) => n.startsWith('.~tmp.'))
    const r = start(root, env, ['cp', 'local://src/big.bin', 'local://dst/copy.bin'])
    t.after(() => settle(r.child))
    // under way: the temp file is there and has bytes in it
    await until(
      'the copy is writing its temp file',
      () => temps().some((n) => statSync(join(folder, n), { throwIfNoEntry: false })?.size),
      2,
    )
    await freeze(r.child)
    assert.equal(temps().length, 1, 'frozen mid-copy')
    assert.equal(await store('dst').head('copy.bin'), undefined, 'frozen before the rename')
    interrupt(r.child)
    const code = await r.exited
    assert.equal(code, 130, r.stderr())
    assert.match(r.stderr(), /interrupted: nothing was stored/)
    assert.equal(await store('dst').head('copy.bin'), undefined)
    // no temp, lock or metadata file: the bucket holds what it held before
    assert.deepEqual(readdirSync(folder), ['other.txt'])
    assert.deepEqual(await store('src').head('big.bin'), source, 'the source is untouched')
    assert.deepEqual(readdirSync(join(buckets, 'src')), ['big.bin'])
  })

  void test(
    'SIGINT during a local-to-S3 copy: exit 130, no object, the multipart upload is aborted',
    { skip: motoAvailable() ? false : MOTO_MISSING },
    async (t) => {
      const s3 = server!
      process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true'
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      })
      const uploads = async (): Promise<number> =>
        (await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).Uploads
          ?.length ?? 0
      const absent = async (): Promise<void> => {
        await assert.rejects(
          client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'copy.bin' })),
          { name: 'NotFound' },
        )
      }
      try {
        const r = start(
          root,
          { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...s3.env },
          ['cp', 'local://src/big.bin', `s3://${s3.bucket}/copy.bin`],
        )
        t.after(() => settle(r.child))
        await until('a multipart upload is under way', async () => (await uploads()) > 0, 20)
        await freeze(r.child)
        assert.equal(await uploads(), 1, 'frozen mid-upload')
        await absent()
        interrupt(r.child)
        const code = await r.exited
        assert.equal(code, 130, r.stderr())
        assert.match(r.stderr(), /interrupted: nothing was stored/)
        assert.equal(await uploads(), 0, 'the multipart upload was aborted')
        await absent()
      } finally {
        client.destroy()
      }
    },
  )
})
