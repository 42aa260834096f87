import type { Readable, Writable } from 'node:stream'
import { SealboxError } from '../../errors/index.js'

export interface CliIo {
  stdin: Readable & { isTTY?: boolean }
  stdout: Writable & { isTTY?: boolean }
  stderr: Writable & { isTTY?: boolean }
}

export const processIo: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}

/** Refuses to put binary output on a terminal; `hint` says how, in the command's own flags. */
export function refuseTerminal(
  stdout: CliIo['stdout'],
  what: string,
  hint = 'give an output file with -o FILE, or redirect the output (> FILE, | command)',
): void {
  if (stdout.isTTY === true) {
    throw new SealboxError('UsageError', `refusing to write ${what} to a terminal`, { hint })
  }
}
