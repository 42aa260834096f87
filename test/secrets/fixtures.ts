import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before } from 'node:test'
import { Runtime } from '../../src/cli/runtime/index.js'
import type { ObjectStore } from '../../src/objects/types/index.js'
import { SecretStore } from '../../src/secrets/index.js'
import { startMoto as startMotoServer, type S3Server } from '../helpers/s3-server.js'

/** The compiled CLI, as `sealbox` is installed. */
export const MAIN = resolve(import.meta.dirname, '../../src/cli/main.js')

export type StoreKind = 'local' | 's3rver' | 'moto'

/** A running S3-compatible server on loopback (the shared test helper's). */
export type S3Endpoint = S3Server
export { startS3rver, MOTO_MISSING } from '../helpers/s3-server.js'
import { MOTO_MISSING, startS3rver } from '../helpers/s3-server.js'
export const startMoto = (): Promise<S3Server | undefined> => startMotoServer()

/** A sealbox home, a work folder, a store URL and the environment a CLI child needs. */
export interface Sandbox {
  kind: StoreKind
  root: string
  home: string
  work: string
  url: string
  env: NodeJS.ProcessEnv
  conditionalWrites: boolean
  runtime: Runtime
  /** The secret store over the sandbox's store, sealing under `keyId` (default: the embedded key). */
  secrets(keyId?: string): Promise<SecretStore>
  /** The raw object store and the secrets prefix inside it (to tamper with objects). */
  objects(): Promise<{ store: ObjectStore; prefix: string }>
  close(): void
}

let counter = 0

export function sandbox(kind: StoreKind, s3?: S3Endpoint): Sandbox {
  const root = mkdtempSync(join(tmpdir(), `sealbox-secrets-${kind}-`))
  const home = join(root, 'home')
  const work = join(root, 'work')
  const bin = join(root, 'bin')
  for (const d of [home, work, bin]) mkdirSync(d)
  const wrapper = join(bin, 'sealbox')
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${MAIN}" "$@"\n`)
  chmodSync(wrapper, 0o755)
  const url =
    s3 === undefined
      ? 'local://secrets/'
      : `s3://${s3.bucket}/box${++counter}-${process.pid}/secrets/`
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    HOME: root,
    SEALBOX_HOME: home,
    LANG: 'C.UTF-8',
    S3_PATH: url,
    NODE_NO_WARNINGS: '1',
  }
  if (s3 !== undefined) {
    const aws = {
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SEALBOX_S3_CONDITIONAL_WRITES: s3.supportsConditionalWrites ? '1' : '0',
    }
    Object.assign(env, aws)
    // the S3 client of this process reads the standard chain from process.env
    Object.assign(process.env, aws)
  }
  const runtime = new Runtime(() => ({ home }), env)
  return {
    kind,
    root,
    home,
    work,
    url,
    env,
    conditionalWrites: s3?.supportsConditionalWrites ?? true,
    runtime,
    async secrets(keyId) {
      const { store, key } = await runtime.objectStore(url)
      return new SecretStore({
        objects: store,
        prefix: key,
        kms: await runtime.kms(),
        keyIds: [await runtime.defaultKeyId(keyId)],
        clock: await runtime.clock(),
      })
    },
    async objects() {
      const { store, key } = await runtime.objectStore(url)
      return { store, prefix: key }
    },
    close() {
      runtime.close()
    },
  }
}

export interface Result {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: string
}

/** Runs `sealbox ARGS…` in the sandbox; `input` is written to its stdin. */
export function sealbox(
  box: Sandbox,
  args: string[],
  input?: Uint8Array | string,
): Promise<Result> {
  return run(process.execPath, [MAIN, ...args], box, input)
}

/** Runs a shell line (pipes, redirections) in the sandbox with `sealbox` on PATH. */
export function shell(box: Sandbox, line: string): Promise<Result> {
  return run('/bin/sh', ['-c', `set -e\n${line}`], box)
}

export function run(
  command: string,
  args: string[],
  box: Sandbox,
  input?: Uint8Array | string,
): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: box.work,
      env: box.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', fail)
    child.on('close', (code, signal) => done({ code, signal, stdout: Buffer.concat(out), stderr }))
    child.stdin.on('error', () => {})
    child.stdin.end(input ?? '')
  })
}

/** Asserts exit 0 and returns the result (with both streams in the message otherwise). */
export function ok(r: Result): Result {
  if (r.code !== 0) {
    throw new Error(
      `exit ${r.code} (${r.signal ?? ''})\nstdout: ${r.stdout.toString()}\nstderr: ${r.stderr}`,
    )
  }
  return r
}

/**
 * Registers the suite's hooks: before, the kind's server (none for local) and a sandbox on it,
 * handed to `ready`; after, both stopped. Without moto_server, `ready` is not called and
 * `skipped` gets the reason, for the tests to skip visibly.
 */
export function useSandbox(
  kind: StoreKind,
  ready: (box: Sandbox) => void | Promise<void>,
  skipped: (why: string) => void = () => undefined,
): void {
  let s3: S3Endpoint | undefined
  let box: Sandbox | undefined
  before(async () => {
    if (kind === 's3rver') s3 = await startS3rver()
    if (kind === 'moto') {
      s3 = await startMoto()
      if (s3 === undefined) return skipped(MOTO_MISSING)
    }
    box = sandbox(kind, s3)
    await ready(box)
  })
  after(async () => {
    box?.close()
    await s3?.stop()
  })
}
