#!/usr/bin/env node
import { EXIT } from './exit-codes.js'
import { main } from './program.js'

// A reader that stops early (`sealbox --help | head`) closes stdout under a pending write. The
// command's own handling says so where it can; otherwise, as with SIGPIPE in other tools,
// sealbox stops quietly, and a pipeline still sees from the exit code that the output was cut.
let stdoutClosed = false
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e
  stdoutClosed = true
  if (process.exitCode === undefined || process.exitCode === EXIT.ok) process.exitCode = EXIT.io
})

const code = await main(process.argv)
process.exitCode = code === EXIT.ok && stdoutClosed ? EXIT.io : code
