import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** The compiled CLI, as `sealbox` is installed. */
export const MAIN = resolve(import.meta.dirname, '../../src/cli/main.js')

export interface Result {
  code: number | null
  stdout: string
  stderr: string
}

/** A fresh SEALBOX_HOME and a working folder, with a `sealbox` on PATH for shell pipelines. */
export function sandbox(): { home: string; work: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(tmpdir(), 'sealbox-cli-kms-'))
  const home = join(root, 'home')
  const work = join(root, 'work')
  const bin = join(root, 'bin')
  for (const d of [home, work, bin]) mkdirSync(d)
  const wrapper = join(bin, 'sealbox')
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${MAIN}" "$@"\n`)
  chmodSync(wrapper, 0o755)
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    HOME: root,
    SEALBOX_HOME: home,
    LANG: 'C.UTF-8',
  }
  return { home, work, env }
}

function collect(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

/** Runs `sealbox ARGS…` in the sandbox. */
export function sealbox(
  box: { work: string; env: NodeJS.ProcessEnv },
  ...args: string[]
): Promise<Result> {
  return collect(process.execPath, [MAIN, ...args], box.work, box.env)
}

/** Runs a shell command line (pipes, redirections) in the sandbox, `sealbox` on PATH. */
export function shell(
  box: { work: string; env: NodeJS.ProcessEnv },
  line: string,
): Promise<Result> {
  return collect('/bin/sh', ['-c', `set -e\n${line}`], box.work, box.env)
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => done(port))
    })
  })
}

/** moto_server's KMS on a loopback port, or undefined when moto_server is not installed. */
export async function startMotoKms(): Promise<
  { endpoint: string; stop: () => Promise<void> } | undefined
> {
  if (spawnSync('sh', ['-c', 'command -v moto_server']).status !== 0) return undefined
  const port = await freePort()
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' })
  const endpoint = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${endpoint}/moto-api/`).then(
        () => true,
        () => false,
      )
    )
      break
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done()
        child.once('exit', () => done())
        child.kill('SIGTERM')
      }),
  }
}
