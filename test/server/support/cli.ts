import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const CLI = resolve('dist/src/cli/main.js')

/** A clean environment: no AWS settings of the machine leak into a test. */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (
      !k.startsWith('AWS_') &&
      !k.startsWith('SEALBOX_') &&
      k !== 'KMS_KEY_ID' &&
      k !== 'CMK_KEY_ID'
    )
      env[k] = v
  }
  return { ...env, SEALBOX_HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...extra }
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'sealbox-serve-'))
}

export function runCli(
  home: string,
  args: string[],
  extra: Record<string, string> = {},
  input?: string,
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: cliEnv(home, extra),
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  })
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

export interface Principal {
  AccessKeyId: string
  SecretAccessKey: string
  Arn: string
}

export function createPrincipal(home: string, name: string, account?: string): Principal {
  const r = runCli(home, [
    'principals',
    'create',
    name,
    ...(account === undefined ? [] : ['--account', account]),
  ])
  if (r.status !== 0) throw new Error(`principals create failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as Principal
}

export interface ServeProcess {
  url: string
  process: ChildProcess
  stderr: () => string
  /** Sends the signal and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Spawns `sealbox serve --port 0` and resolves once it prints its URL. */
export function startServe(
  home: string,
  args: string[] = [],
  extra: Record<string, string> = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    env: cliEnv(home, extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString()
      const line = /^(https?:\/\/\S+)\n/.exec(stdout)
      if (line !== null) {
        resolvePromise({
          url: line[1]!,
          process: child,
          stderr: () => stderr,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal)
            return exited
          },
        })
      }
    })
    void exited.then((code) =>
      reject(new Error(`sealbox serve exited (${code}) before listening: ${stderr}`)),
    )
  })
}
