import type { Writable } from 'node:stream'

const MIN_BYTES = 64 * 1024 * 1024
const WIDTH = 30

/**
 * A progress line on stderr for long work: only when stderr is a terminal and the input is
 * large; redrawn at most ten times a second, erased when done.
 */
export function progressBar(
  stderr: Writable & { isTTY?: boolean },
  total: number,
  label: string,
): { update: (done: number, total: number) => void; finish: () => void } {
  if (stderr.isTTY !== true || total < MIN_BYTES)
    return { update: () => undefined, finish: () => undefined }
  const start = performance.now()
  let last = Number.NEGATIVE_INFINITY
  let drawn = false
  return {
    update(done: number) {
      const now = performance.now()
      if (now - last < 100 && done < total) return
      last = now
      const fraction = Math.min(1, done / total)
      const filled = Math.round(fraction * WIDTH)
      const rate = done / 1e6 / Math.max((now - start) / 1000, 1e-3)
      const mib = (n: number): string => (n / 1024 / 1024).toFixed(0)
      stderr.write(
        `\r${label} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mib(done)}/${mib(total)} MiB ${rate.toFixed(0)} MB/s`,
      )
      drawn = true
    },
    finish() {
      if (drawn) stderr.write('\r\x1b[2K')
    },
  }
}
