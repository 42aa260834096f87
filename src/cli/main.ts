#!/usr/bin/env node
import { EXIT } from './exit-codes.js'
import { main } from './program.js'

// A reader that stops early (`sealbox --help | head`) closes stdout under a pending write; as
// with SIGPIPE in other tools, sealbox stops quietly, and a pipeline sees that the output was cut.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e
  process.exit(EXIT.io)
})

process.exitCode = await main(process.argv)
