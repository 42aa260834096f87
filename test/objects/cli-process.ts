import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const MAIN = resolve(import.meta.dirname, '../../src/cli/main.js')

/** A `sealbox` child process: its exit code once it has closed, and what it wrote to stderr. */
export interface CliRun {
  child: ChildProcess
  exited: Promise<number | null>
  stderr: () => string
}

/** Starts `sealbox ARGS` in `root`; stdin and stdout are left to the caller. */
export function startCli(root: string, env: NodeJS.ProcessEnv, args: string[]): CliRun {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: root, env })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  child.stdin!.on('error', () => {}) // an early exit shows in the status
  const exited = new Promise<number | null>((done) => child.on('close', done))
  return { child, exited, stderr: () => stderr }
}

/**
 * A fresh root (on tmpfs when there is one: the stores' fsyncs are not under test) holding
 * SEALBOX_HOME, and the environment that runs `sealbox` there with nothing of the machine's.
 */
export function cliRoot(prefix: string): { root: string; buckets: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), prefix))
  mkdirSync(join(root, 'home'))
  return {
    root,
    buckets: join(root, 'home/buckets'),
    env: {
      PATH: process.env['PATH'],
      HOME: root,
      SEALBOX_HOME: join(root, 'home'),
      NODE_NO_WARNINGS: '1',
    },
  }
}
