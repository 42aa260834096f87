// File-to-file encryption and decryption, each tool in its own process, in one run:
// sealbox (several frame lengths, signed), the official AWS Encryption SDK for JavaScript at its
// defaults and with sealbox's frame length, age (if installed), and cp as the ceiling.
// MB/s (10^6 bytes per second of wall time, process start included) and peak RSS (from
// /usr/bin/time). SEALBOX_BENCH_BYTES sets the file size (default 1 GiB), SEALBOX_BENCH_RUNS the
// runs per measurement (median reported, default 1).
import { spawn, spawnSync } from 'node:child_process'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { DEFAULT_FRAME_LENGTH } from '../src/envelope/index.js'

const BYTES = Number(process.env.SEALBOX_BENCH_BYTES ?? 1024 ** 3)
/** Runs per measurement; the median is reported (the machine is shared: noise is large). */
const RUNS = Number(process.env.SEALBOX_BENCH_RUNS ?? 1)
const SELF = fileURLToPath(import.meta.url)
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url))
const KEY = Buffer.alloc(32, 0x5a)

interface Measure {
  seconds: number
  maxRssMiB: number
  /** User and system CPU seconds of the process: steadier than wall time on a shared machine. */
  user: number
  sys: number
}

/** Runs a command under /usr/bin/time; wall time from here, peak RSS from time's report. */
async function measure(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Measure> {
  const start = performance.now()
  const child = spawn('/usr/bin/time', ['-f', 'MAXRSS %M CPU %U %S', cmd, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const seconds = (performance.now() - start) / 1000
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${stderr}`)
  const rss = /MAXRSS (\d+) CPU ([\d.]+) ([\d.]+)/.exec(stderr)
  return {
    seconds,
    maxRssMiB: rss ? Number(rss[1]) / 1024 : NaN,
    user: rss ? Number(rss[2]) : NaN,
    sys: rss ? Number(rss[3]) : NaN,
  }
}

/** Child mode: the official SDK encrypting or decrypting a file with a raw AES key, streams piped. */
async function esdkChild(
  mode: string,
  input: string,
  output: string,
  frame: string,
  suite: string,
): Promise<void> {
  const sdk = await import('@aws-crypto/client-node')
  const client = sdk.buildClient(sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const keyring = new sdk.RawAesKeyringNode({
    keyNamespace: 'bench',
    keyName: 'k',
    unencryptedMasterKey: new Uint8Array(KEY),
    wrappingSuite: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  if (mode === 'enc') {
    const options = {
      ...(frame === 'default' ? {} : { frameLength: Number(frame) }),
      ...(suite === 'default' ? {} : { suiteId: Number(suite) as never }),
    }
    await pipeline(
      createReadStream(input),
      client.encryptStream(keyring, options),
      createWriteStream(output),
    )
  } else {
    await pipeline(
      createReadStream(input),
      client.decryptStream(keyring),
      createWriteStream(output),
    )
  }
}

function median(runs: Measure[]): Measure {
  const mid = <T>(values: T[], by: (v: T) => number): T =>
    [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)]!
  const cpu = mid(runs, (r) => r.user + r.sys)
  return {
    seconds: mid(runs, (r) => r.seconds).seconds,
    maxRssMiB: Math.max(...runs.map((r) => r.maxRssMiB)),
    user: cpu.user,
    sys: cpu.sys,
  }
}

function sameFile(a: string, b: string): boolean {
  return spawnSync('cmp', ['-s', a, b]).status === 0
}

interface Row {
  tool: string
  enc: Measure
  dec: Measure | undefined
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-bench-'))
  try {
    const input = join(dir, 'in.bin')
    const h = await open(input, 'w')
    const block = 8 * 1024 * 1024
    for (let done = 0; done < BYTES; done += block)
      await h.write(randomBytes(Math.min(block, BYTES - done)))
    await h.close()
    await writeFile(join(dir, 'key.bin'), KEY, { mode: 0o600 })
    const home = join(dir, 'home')
    const env = { ...process.env, SEALBOX_HOME: home }
    const rows: Row[] = []
    const out = join(dir, 'out.bin')
    const back = join(dir, 'back.bin')
    const fresh = async (): Promise<void> => {
      await rm(out, { force: true })
      await rm(back, { force: true })
    }
    const run = async (
      tool: string,
      enc: [string, string[]],
      dec: [string, string[]] | undefined,
    ): Promise<void> => {
      const encs: Measure[] = []
      const decs: Measure[] = []
      for (let i = 0; i < RUNS; i++) {
        await fresh()
        encs.push(await measure(enc[0], enc[1], env))
        if (dec !== undefined) {
          decs.push(await measure(dec[0], dec[1], env))
          if (!sameFile(input, back)) throw new Error(`${tool}: the round trip changed the file`)
        }
      }
      rows.push({ tool, enc: median(encs), dec: decs.length > 0 ? median(decs) : undefined })
      console.error(`  ${tool}: done`)
    }
    console.log(
      `file of ${(BYTES / 1024 / 1024).toFixed(0)} MiB in ${dir}, median of ${RUNS} run(s); load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )

    await run('cp', ['cp', [input, out]], undefined)
    await run(
      'cp, then sync of the copy (durable, as sealbox)',
      ['sh', ['-c', 'cp "$0" "$1" && sync "$1"', input, out]],
      undefined,
    )
    const node = process.execPath
    const raw = ['--raw-key', `bench:k:${join(dir, 'key.bin')}`]
    for (const frame of [65536, 262144, 1048576]) {
      const label = frame === DEFAULT_FRAME_LENGTH ? ' (default)' : ''
      await run(
        `sealbox, ${frame / 1024} KiB frames${label}`,
        [node, [CLI, 'encrypt', input, '-o', out, ...raw, '--frame-size', String(frame)]],
        [node, [CLI, 'decrypt', out, '-o', back, ...raw]],
      )
    }
    await run(
      `sealbox --signed, ${DEFAULT_FRAME_LENGTH / 1024} KiB frames`,
      [node, [CLI, 'encrypt', input, '-o', out, ...raw, '--signed']],
      [node, [CLI, 'decrypt', out, '-o', back, ...raw]],
    )
    await run(
      'AWS ESDK JS, defaults (0x0578, 4 KiB frames)',
      [node, [SELF, '--esdk', 'enc', input, out, 'default', 'default']],
      [node, [SELF, '--esdk', 'dec', out, back, '-', '-']],
    )
    await run(
      `AWS ESDK JS, 0x0478, ${DEFAULT_FRAME_LENGTH / 1024} KiB frames`,
      [node, [SELF, '--esdk', 'enc', input, out, String(DEFAULT_FRAME_LENGTH), String(0x0478)]],
      [node, [SELF, '--esdk', 'dec', out, back, '-', '-']],
    )
    if (spawnSync('sh', ['-c', 'command -v age && command -v age-keygen']).status === 0) {
      const identity = join(dir, 'age.key')
      spawnSync('age-keygen', ['-o', identity])
      const recipient = /public key: (\S+)/.exec(await readFile(identity, 'utf8'))![1]!
      await run(
        'age 1.x (X25519, ChaCha20-Poly1305)',
        ['age', ['-r', recipient, '-o', out, input]],
        ['age', ['-d', '-i', identity, '-o', back, out]],
      )
    } else {
      console.log('age: SKIPPED (not installed; apt-get install age)')
    }
    print(rows)
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function cpu(m: Measure): string {
  return `${m.user.toFixed(2)}+${m.sys.toFixed(2)}`
}

function print(rows: Row[]): void {
  const mbs = (m: Measure | undefined): number => (m === undefined ? NaN : BYTES / 1e6 / m.seconds)
  const cp = mbs(rows.find((r) => r.tool === 'cp')!.enc)
  const cells = rows.map((r) => [
    r.tool,
    mbs(r.enc).toFixed(0),
    r.dec ? mbs(r.dec).toFixed(0) : '-',
    `${(mbs(r.enc) / cp).toFixed(2)}x`,
    r.dec ? `${(mbs(r.dec) / cp).toFixed(2)}x` : '-',
    r.enc.maxRssMiB.toFixed(0),
    r.dec ? r.dec.maxRssMiB.toFixed(0) : '-',
    cpu(r.enc),
    r.dec ? cpu(r.dec) : '-',
  ])
  const head = [
    'tool',
    'enc MB/s',
    'dec MB/s',
    'enc/cp',
    'dec/cp',
    'enc RSS MiB',
    'dec RSS MiB',
    'enc CPU s (user+sys)',
    'dec CPU s (user+sys)',
  ]
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) =>
    `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`
  console.log(line(head))
  console.log(
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  )
  for (const c of cells) console.log(line(c))
  const ours = rows.find((r) => r.tool.includes('(default)'))
  const esdk = rows.find((r) => r.tool.startsWith('AWS ESDK JS, defaults'))
  const age = rows.find((r) => r.tool.startsWith('age'))
  const ratio = (a: Row | undefined, b: Row | undefined): string =>
    a && b && a.dec && b.dec
      ? `${(mbs(a.enc) / mbs(b.enc)).toFixed(1)}x encrypt, ${(mbs(a.dec) / mbs(b.dec)).toFixed(1)}x decrypt`
      : 'n/a'
  console.log(`\nsealbox (default) vs the official JS SDK at its defaults: ${ratio(ours, esdk)}`)
  console.log(`sealbox (default) vs age: ${ratio(ours, age)}`)
  console.log(
    'sealbox syncs its output to the device before renaming it into place; cp and age do not sync.',
  )
}

if (process.argv[2] === '--esdk') {
  const [, , , mode, input, output, frame, suite] = process.argv
  await esdkChild(mode!, input!, output!, frame!, suite!)
} else {
  await main()
}
