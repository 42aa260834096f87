import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'
import { HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3'
import { FsObjectStore } from '../../src/objects/fs/index.js'
import { MOTO_MISSING, motoAvailable, startMoto, type S3Server } from '../helpers/s3-server.js'
import { cliRoot, startCli } from './cli-process.js'

async function run(
  root: string,
  env: NodeJS.ProcessEnv,
  args: string[],
  input: string | Uint8Array = '',
): Promise<{ code: number | null; stderr: string }> {
  const r = startCli(root, env, args)
  r.child.stdout!.resume()
  r.child.stdin!.end(input)
  return { code: await r.exited, stderr: r.stderr() }
}

function write(stream: NodeJS.WritableStream, data: Uint8Array): Promise<void> {
  return new Promise((done) => {
    if (stream.write(data)) done()
    else stream.once('drain', done)
  })
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return
    await sleep(50)
  }
  throw new Error(`timed out waiting until ${what}`)
}

void describe('sealbox cp on the local folder: interrupts, missing buckets, hints, closed pipes', () => {
  let root: string
  let env: NodeJS.ProcessEnv
  let buckets: string
  const bkt = (): FsObjectStore => new FsObjectStore({ root: join(buckets, 'bkt') })

  before(async () => {
    ;({ root, buckets, env } = cliRoot('sealbox-cp-edges-'))
    const first = await run(root, env, ['cp', '-', 'local://bkt/first'], 'first')
    assert.equal(first.code, 0, first.stderr)
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    void test(`${signal} during an upload from a slow stdin leaves no temp file and no object`, async () => {
      const folder = join(buckets, 'bkt')
      const temps = (): string[] => readdirSync(folder).filter((n) => n.startsWith('.~tmp.'))
      const r = startCli(root, env, ['cp', '-', 'local://bkt/int.bin'])
      // more than one frame, then the source stalls: the temp file exists and is growing
      await write(r.child.stdin!, Buffer.alloc(3 * 1024 * 1024, 7))
      await until('the temp file is there', () => temps().length > 0)
      r.child.kill(signal)
      const code = await r.exited
      r.child.stdin!.destroy()
      assert.deepEqual(temps(), [], 'the temp file was removed')
      assert.equal(await bkt().head('int.bin'), undefined)
      assert.equal(code, signal === 'SIGINT' ? 130 : 143, r.stderr())
      assert.match(r.stderr(), /interrupted: nothing was stored/)
    })
  }

  void test('a bucket that does not exist: ls, cp out and rm fail with exit 3; cp in creates it', async () => {
    for (const args of [
      ['ls', 'local://nobucket/'],
      ['ls', '-r', 'local://nobucket/a/'],
      ['cp', 'local://nobucket/x', 'out.txt'],
      ['cp', 'local://nobucket/x', 'local://bkt/y'],
      ['rm', 'local://nobucket/x'],
      ['rm', '--recursive', 'local://nobucket/'],
    ]) {
      const r = await run(root, env, args)
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /error: the bucket of local:\/\/nobucket\/\S* does not exist/)
    }
    assert.equal(existsSync(join(buckets, 'nobucket')), false, 'reads create nothing')
    // an existing bucket with nothing under the prefix is an empty listing, as on S3
    assert.equal((await run(root, env, ['ls', 'local://bkt/none/'])).code, 0)
    assert.equal((await run(root, env, ['rm', 'local://bkt/none'])).code, 3)
    const created = await run(root, env, ['cp', '-', 'local://newbucket/k'], 'data')
    assert.equal(created.code, 0, created.stderr)
    assert.equal((await run(root, env, ['ls', 'local://newbucket/'])).code, 0)
    assert.equal((await run(root, env, ['rm', 'local://newbucket/k'])).code, 0)
    // emptied, the bucket is still there (S3 keeps a bucket whose objects are all removed)
    assert.equal((await run(root, env, ['ls', 'local://newbucket/'])).code, 0)
  })

  void test('cp onto an existing local file hints at --force, not at a flag cp lacks', async () => {
    writeFileSync(join(root, 'taken.txt'), 'mine')
    const r = await run(root, env, ['cp', 'local://bkt/first', 'taken.txt'])
    assert.equal(r.code, 6, r.stderr)
    assert.match(r.stderr, /error: taken\.txt already exists/)
    assert.match(r.stderr, /hint: .*--force/)
    assert.doesNotMatch(r.stderr, /-o\b/)
  })

  void test('cp to stdout whose reader stops early exits 8 with a short message', async () => {
    const data = Buffer.alloc(4 * 1024 * 1024, 3)
    const put = await run(root, env, ['cp', '-', 'local://bkt/big'], data)
    assert.equal(put.code, 0, put.stderr)
    const r = startCli(root, env, ['cp', 'local://bkt/big', '-'])
    r.child.stdin!.end()
    // like `| head -c 10`: read a little, then close the pipe
    await new Promise<void>((done) => r.child.stdout!.once('data', () => done()))
    r.child.stdout!.destroy()
    assert.equal(await r.exited, 8, r.stderr())
    assert.match(
      r.stderr(),
      /^sealbox: error: stdout was closed before all of local:\/\/bkt\/big was written\n$/,
    )
  })
})

void describe('sealbox cp on moto_server: an interrupted multipart upload is aborted', () => {
  let server: S3Server | undefined
  let root: string
  let env: NodeJS.ProcessEnv

  before(async () => {
    server = await startMoto()
    root = mkdtempSync(join(tmpdir(), 'sealbox-cp-moto-'))
    mkdirSync(join(root, 'home'))
    env = {
      PATH: process.env['PATH'],
      HOME: root,
      SEALBOX_HOME: join(root, 'home'),
      NODE_NO_WARNINGS: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...server?.env,
    }
  })
  after(async () => {
    await server?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  void test(
    'SIGINT after the first part leaves no multipart upload and no object',
    { skip: motoAvailable() ? false : MOTO_MISSING },
    async () => {
      const s3 = server!
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      })
      const uploads = async (): Promise<number> =>
        (await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).Uploads
          ?.length ?? 0
      try {
        const r = startCli(root, env, ['cp', '-', `s3://${s3.bucket}/int.bin`])
        // two parts' worth (8 MiB each), then the source stalls
        for (let i = 0; i < 18; i++) await write(r.child.stdin!, Buffer.alloc(1024 * 1024, i))
        await until('a multipart upload is under way', async () => (await uploads()) > 0)
        r.child.kill('SIGINT')
        const code = await r.exited
        r.child.stdin!.destroy()
        assert.equal(await uploads(), 0, 'the multipart upload was aborted')
        assert.equal(code, 130, r.stderr())
        assert.match(r.stderr(), /interrupted: nothing was stored/)
        await assert.rejects(
          client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'int.bin' })),
          { name: 'NotFound' },
        )
      } finally {
        client.destroy()
      }
    },
  )
})
