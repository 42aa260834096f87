import { SealboxError } from '../../errors/index.js'
import { processIo, type CliIo } from '../file/cli-io.js'
import type { Runtime } from '../runtime/index.js'

export interface LsFlags {
  recursive?: boolean
  output?: string
}

/**
 * `sealbox ls URL`: every page of the listing, streamed (memory does not grow with the number
 * of objects). Text: `modified  size  key`, folders as `PRE prefix/`; json: one array.
 */
export async function runLs(
  runtime: Runtime,
  url: string,
  flags: LsFlags,
  io: CliIo = processIo,
): Promise<void> {
  const format = flags.output ?? 'text'
  if (format !== 'text' && format !== 'json') {
    throw new SealboxError('UsageError', `--output '${format}' is not one of text, json`)
  }
  const { store, key: prefix } = await runtime.objectStore(url, { bucket: true })
  const listing = store.list({ prefix, ...(flags.recursive === true ? {} : { delimiter: '/' }) })
  const write = (text: string): Promise<void> =>
    new Promise((done, fail) => {
      if (io.stdout.write(text)) done()
      else io.stdout.once('drain', done).once('error', fail)
    })
  let first = true
  if (format === 'json') await write('[')
  for await (const page of listing) {
    const lines: string[] = []
    for (const p of page.commonPrefixes) {
      lines.push(format === 'json' ? JSON.stringify({ prefix: p }) : `${'PRE'.padStart(32)} ${p}`)
    }
    for (const o of page.objects) {
      const modified = o.lastModified.toISOString().replace(/\.\d{3}Z$/, 'Z')
      lines.push(
        format === 'json'
          ? JSON.stringify({
              key: o.key,
              size: o.size,
              modified: o.lastModified.toISOString(),
              etag: o.etag,
            })
          : `${modified} ${String(o.size).padStart(11)} ${o.key}`,
      )
    }
    if (lines.length === 0) continue
    if (format === 'json') {
      await write(`${first ? '\n' : ',\n'}${lines.join(',\n')}`)
    } else {
      await write(`${lines.join('\n')}\n`)
    }
    first = false
  }
  if (format === 'json') await write(first ? ']\n' : '\n]\n')
}
