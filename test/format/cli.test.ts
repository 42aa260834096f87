import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import { runDecrypt } from '../../src/cli/file/decrypt-command.js'
import { runEncrypt } from '../../src/cli/file/encrypt-command.js'
import { Runtime } from '../../src/cli/runtime/index.js'
import { AwsKms } from '../../src/kms/aws/index.js'
import { startMoto } from './support/moto.js'
import { pattern } from './support/messages.js'

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname

interface Run {
  status: number | null
  stdout: Buffer
  stderr: string
}

let dir: string
let home: string

function sealbox(
  args: string[],
  options: { input?: Uint8Array; env?: Record<string, string> } = {},
): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: dir,
    input: options.input ?? Buffer.alloc(0),
    env: { ...process.env, SEALBOX_HOME: home, KMS_KEY_ID: '', CMK_KEY_ID: '', ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

const ok = (r: Run): Run => {
  assert.equal(r.status, 0, r.stderr)
  return r
}

void describe('sealbox encrypt / decrypt / inspect', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sealbox-cli-'))
    home = join(dir, '.home')
    await writeFile(join(dir, 'k.key'), Buffer.alloc(32, 9))
    await writeFile(join(dir, 'k64.key'), Buffer.alloc(32, 8).toString('base64') + '\n')
  })
  after(() => rm(dir, { recursive: true, force: true }))

  const RAW = ['--raw-key', 'team:k1:k.key']

  void test('FILE encrypts to FILE.sealed (mode 0600) and decrypts back to FILE', async () => {
    const pt = pattern(300_000)
    await writeFile(join(dir, 'report.pdf'), pt)
    ok(
      sealbox([
        'encrypt',
        'report.pdf',
        ...RAW,
        '--context',
        'purpose=report',
        '--frame-size',
        '64KiB',
      ]),
    )
    assert.equal((await stat(join(dir, 'report.pdf.sealed'))).mode & 0o777, 0o600)
    await rm(join(dir, 'report.pdf'))
    ok(sealbox(['decrypt', 'report.pdf.sealed', ...RAW, '--context', 'purpose=report']))
    assert.deepEqual(await readFile(join(dir, 'report.pdf')), Buffer.from(pt))
  })

  void test('inspect shows the header as text and JSON, marked unauthenticated', () => {
    const text = ok(sealbox(['inspect', 'report.pdf.sealed'])).stdout.toString()
    assert.match(text, /UNAUTHENTICATED/)
    assert.match(text, /0x0478 AES_256_GCM_HKDF_SHA512_COMMIT_KEY/)
    assert.match(text, /framed, 65536-byte frames/)
    assert.match(text, /purpose = report/)
    assert.match(text, /raw AES {2}team\/k1/)
    const json = JSON.parse(
      ok(sealbox(['inspect', 'report.pdf.sealed', '--output', 'json'])).stdout.toString(),
    ) as Record<string, unknown>
    assert.equal(json.authenticated, false)
    assert.equal(json.suiteId, '0x0478')
    assert.equal(json.frameLength, 65536)
    assert.deepEqual(json.encryptionContext, { purpose: 'report' })
    assert.deepEqual(json.encryptedDataKeys, [{ providerId: 'team', providerInfo: 'k1' }])
  })

  void test('an existing output is kept unless --force', async () => {
    const before = await readFile(join(dir, 'report.pdf.sealed'))
    const r = sealbox(['encrypt', 'report.pdf', ...RAW])
    assert.equal(r.status, 6)
    assert.match(r.stderr, /report\.pdf\.sealed already exists/)
    assert.match(r.stderr, /hint: .*--force/)
    assert.deepEqual(await readFile(join(dir, 'report.pdf.sealed')), before)
    ok(
      sealbox([
        'encrypt',
        'report.pdf',
        ...RAW,
        '--force',
        '--signed',
        '--context',
        'purpose=report',
      ]),
    )
    assert.match(ok(sealbox(['inspect', 'report.pdf.sealed'])).stdout.toString(), /0x0578 .*signed/)
    const ctx = ['--context', 'purpose=report']
    assert.equal(sealbox(['decrypt', 'report.pdf.sealed', ...RAW, ...ctx]).status, 6)
    ok(
      sealbox([
        'decrypt',
        'report.pdf.sealed',
        '-o',
        'again.pdf',
        '--raw-key',
        'team:k1:k.key',
        ...ctx,
      ]),
    )
    assert.deepEqual(
      await readFile(join(dir, 'again.pdf')),
      await readFile(join(dir, 'report.pdf')),
    )
  })

  void test('a folder, a missing file or a missing output folder is said in words, with its exit code', async () => {
    await mkdir(join(dir, 'folder'), { recursive: true })
    const folder = sealbox(['encrypt', 'folder', ...RAW])
    assert.equal(folder.status, 2)
    assert.match(folder.stderr, /'folder' is a folder, not a file\n.*hint: .*tar c folder/s)
    const missing = sealbox(['decrypt', 'nope.sealed', ...RAW])
    assert.equal(missing.status, 3)
    assert.match(missing.stderr, /^sealbox: error: cannot \w+ 'nope\.sealed': no such file/)
    const nowhere = sealbox(['encrypt', 'report.pdf', '-o', 'no/such/x.sealed', ...RAW])
    assert.equal(nowhere.status, 3)
    assert.match(nowhere.stderr, /cannot write in 'no\/such': the folder does not exist/)
    assert.doesNotMatch(
      folder.stderr + missing.stderr + nowhere.stderr,
      /internal error|\.tmp|ENOENT/,
    )
  })

  void test('a name without .sealed needs -o to decrypt', () => {
    const r = sealbox(['decrypt', 'report.pdf', ...RAW])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /does not end in \.sealed/)
  })

  void test('stdin to stdout, both ways, with a base64 key file', () => {
    const pt = pattern(200_000, 3)
    const key = ['--raw-key', 'team:k2:k64.key']
    const sealed = ok(
      sealbox(['encrypt', '-', ...key, '--frame-size', '4096'], { input: pt }),
    ).stdout
    const back = ok(sealbox(['decrypt', '-', ...key], { input: sealed })).stdout
    assert.deepEqual(back, Buffer.from(pt))
    const toFile = ok(sealbox(['decrypt', '-', '-o', 'from-stdin.bin', ...key], { input: sealed }))
    assert.equal(toFile.stdout.length, 0)
  })

  void test('failures exit with their class and leave no file: wrong context, tampering, wrong key', async () => {
    const sealed = await readFile(join(dir, 'report.pdf.sealed'))
    const check = async (args: string[], input: Uint8Array, code: number, message: RegExp) => {
      await writeFile(join(dir, 'bad.sealed'), input)
      const r = sealbox(['decrypt', 'bad.sealed', '-o', 'bad.out', ...args])
      assert.equal(r.status, code, r.stderr)
      assert.match(r.stderr, message)
      const left = (await readdir(dir)).filter(
        (f) => f.startsWith('bad.out') || f.startsWith('.bad.out'),
      )
      assert.deepEqual(left, [])
    }
    const ctx = ['--context', 'purpose=report']
    await check([...RAW, '--context', 'purpose=other'], sealed, 4, /expected 'purpose=other'/)
    // the message's context must be given whole: none, or a part, is refused and named
    await check(RAW, sealed, 4, /has 'purpose=report', which was not expected/)
    await check([...RAW, ...ctx, '--context', 'team=x'], sealed, 4, /has no 'team'/)
    const tampered = Buffer.from(sealed)
    tampered[tampered.length - 200]! ^= 1
    await check([...RAW, ...ctx], tampered, 4, /frame \d+.* failed authentication/)
    await check([...RAW, ...ctx], sealed.subarray(0, sealed.length - 10), 4, /truncated/)
    await check(['--raw-key', 'team:k1:k64.key', ...ctx], sealed, 5, /no key could unwrap/)
    await check(RAW, Buffer.from('hello'), 4, /not a sealbox or AWS Encryption SDK message/)
    // --any-context is the explicit opt-out, and cannot be mixed with --context
    ok(sealbox(['decrypt', 'report.pdf.sealed', '-o', 'any.out', ...RAW, '--any-context']))
    assert.equal(
      sealbox(['decrypt', 'report.pdf.sealed', '-o', '-', ...RAW, ...ctx, '--any-context']).status,
      2,
    )
  })

  void test('Ctrl-C during a write removes the temporary file', async () => {
    const child = spawn(
      process.execPath,
      [MAIN, 'encrypt', '-', '-o', 'interrupted.sealed', ...RAW],
      {
        cwd: dir,
        env: { ...process.env, SEALBOX_HOME: home },
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    )
    child.stdin.on('error', () => undefined) // EPIPE once the child is gone
    child.stdin.write(pattern(1_000_000))
    const hasTemp = async () =>
      (await readdir(dir)).some((f) => f.startsWith('.interrupted.sealed.'))
    for (let i = 0; i < 200 && !(await hasTemp()); i++) await new Promise((r) => setTimeout(r, 25))
    assert.ok(await hasTemp(), 'the temporary file appears while input is pending')
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    )
    child.kill('SIGINT')
    assert.equal(await exited, 130)
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.includes('interrupted')),
      [],
    )
  })

  void test('binary output is never written to a terminal', async () => {
    const runtime = new Runtime(() => ({}))
    const tty = Object.assign(process.stdout, {}) as typeof process.stdout
    const io = {
      stdin: process.stdin,
      stdout: { ...tty, isTTY: true } as typeof tty,
      stderr: process.stderr,
    }
    await assert.rejects(
      runEncrypt(runtime, 'report.pdf', { output: '-' }, io),
      (e: unknown) => isSealboxError(e, 'UsageError') && /-o FILE/.test(e.hint ?? ''),
    )
    await assert.rejects(runDecrypt(runtime, 'x.sealed', { output: '-' }, io), (e: unknown) =>
      isSealboxError(e, 'UsageError'),
    )
  })

  void test('an unreadable raw key file and a bad --raw-key spec are usage errors', async () => {
    await writeFile(join(dir, 'short.key'), Buffer.alloc(5))
    await chmod(join(dir, 'short.key'), 0o600)
    assert.equal(
      sealbox(['encrypt', 'report.pdf', '-o', '-', '--raw-key', 'a:b:short.key']).status,
      2,
    )
    assert.equal(sealbox(['encrypt', 'report.pdf', '-o', '-', '--raw-key', 'nocolons']).status, 2)
  })

  void test('with no key flags the embedded default key is used', async () => {
    const pt = pattern(50_000, 5)
    await writeFile(join(dir, 'embedded.txt'), pt)
    ok(sealbox(['encrypt', 'embedded.txt']))
    assert.match(
      ok(sealbox(['inspect', 'embedded.txt.sealed'])).stdout.toString(),
      /aws-kms {2}arn:aws:kms:[a-z0-9-]+:\d{12}:key\//,
    )
    await rm(join(dir, 'embedded.txt'))
    ok(sealbox(['decrypt', 'embedded.txt.sealed', '--key-id', 'alias/sealbox-default']))
    assert.deepEqual(await readFile(join(dir, 'embedded.txt')), Buffer.from(pt))
  })

  void describe('with a KMS (moto_server through --kms aws)', () => {
    let moto: Awaited<ReturnType<typeof startMoto>>
    let arns: string[] = []
    const env = (): Record<string, string> => ({
      SEALBOX_KMS: 'aws',
      AWS_ENDPOINT_URL_KMS: moto!.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    })
    before(async () => {
      moto = await startMoto()
      if (moto === undefined) return
      const kms = new AwsKms({
        endpoint: moto.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      })
      arns = [
        (await kms.port.createKey({})).keyMetadata.arn,
        (await kms.port.createKey({})).keyMetadata.arn,
      ]
      kms.close()
    })
    after(() => moto?.stop())

    void test('KMS_KEY_ID is the default key; --key-id adds keys; decrypt finds the key in the message', async (t) => {
      if (moto === undefined) return t.skip('moto_server is not installed')
      const pt = pattern(70_000, 11)
      await writeFile(join(dir, 'kms.bin'), pt)
      ok(sealbox(['encrypt', 'kms.bin'], { env: { ...env(), KMS_KEY_ID: arns[0]! } }))
      assert.match(
        ok(sealbox(['inspect', 'kms.bin.sealed'])).stdout.toString(),
        new RegExp(`aws-kms {2}${arns[0]}`),
      )
      ok(
        sealbox(
          ['encrypt', 'kms.bin', '-o', 'kms2.sealed', '--key-id', arns[0]!, '--key-id', arns[1]!],
          { env: env() },
        ),
      )
      ok(
        sealbox(['decrypt', 'kms2.sealed', '-o', 'kms2.out', '--key-id', arns[1]!], { env: env() }),
      )
      assert.deepEqual(await readFile(join(dir, 'kms2.out')), Buffer.from(pt))
      await rm(join(dir, 'kms.bin'))
      ok(sealbox(['decrypt', 'kms.bin.sealed'], { env: env() }))
      assert.deepEqual(await readFile(join(dir, 'kms.bin')), Buffer.from(pt))
      const refused = sealbox(['decrypt', 'kms.bin.sealed', '-o', 'no.out', '--key-id', arns[1]!], {
        env: env(),
      })
      assert.equal(refused.status, 5)
      assert.match(refused.stderr, /is not an allowed key/)
    })
  })
})
