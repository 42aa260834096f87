import assert from 'node:assert/strict'
import type { Writable } from 'node:stream'
import { test } from 'node:test'
import { progressBar } from './progress-bar.js'

const MiB = 1024 * 1024

function stream(isTTY: boolean): Writable & { isTTY: boolean; text: string } {
  const s = {
    isTTY,
    text: '',
    write(chunk: string) {
      s.text += chunk
      return true
    },
  }
  return s as unknown as Writable & { isTTY: boolean; text: string }
}

test('a terminal gets a bar for a large input: percent, sizes, rate; erased at the end', () => {
  const tty = stream(true)
  const bar = progressBar(tty, 128 * MiB, 'encrypting')
  bar.update(64 * MiB, 128 * MiB)
  assert.match(tty.text, /^\rencrypting \[#{15} {15}\] {2}50% 64\/128 MiB \d+ MB\/s$/)
  bar.update(128 * MiB, 128 * MiB)
  assert.match(tty.text, /100% 128\/128 MiB/)
  bar.finish()
  assert.ok(tty.text.endsWith('\r\x1b[2K'))
})

test('redraws at most ten times a second, but always at the end', () => {
  const tty = stream(true)
  const bar = progressBar(tty, 128 * MiB, 'decrypting')
  for (let done = MiB; done < 128 * MiB; done += MiB) bar.update(done, 128 * MiB)
  assert.equal(tty.text.split('\r').length - 1, 1, 'one draw in the first 100 ms')
  bar.update(128 * MiB, 128 * MiB)
  assert.equal(tty.text.split('\r').length - 1, 2)
})

test('nothing on a pipe or a file, nothing for small inputs', () => {
  const pipe = stream(false)
  const big = progressBar(pipe, 1024 * MiB, 'encrypting')
  big.update(512 * MiB, 1024 * MiB)
  big.finish()
  assert.equal(pipe.text, '')
  const tty = stream(true)
  const small = progressBar(tty, MiB, 'encrypting')
  small.update(MiB, MiB)
  small.finish()
  assert.equal(tty.text, '')
})
