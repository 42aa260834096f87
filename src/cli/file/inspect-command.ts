import { readHeader, type MessageHeaderInfo } from '../../envelope/index.js'
import { SealboxError } from '../../errors/index.js'
import { processIo, type CliIo } from './cli-io.js'
import { fileChunks } from './file-chunks.js'

const SIGNED = new Set([0x0578, 0x0378, 0x0346, 0x0214])
const COMMITTING = new Set([0x0578, 0x0478])

export async function runInspect(
  file: string,
  flags: { output?: string },
  io: CliIo = processIo,
): Promise<void> {
  const format = flags.output ?? 'text'
  if (format !== 'text' && format !== 'json') {
    throw new SealboxError('UsageError', `--output must be text or json, not '${format}'`)
  }
  const info = await readHeader(file === '-' ? io.stdin : fileChunks(file))
  io.stdout.write(
    format === 'json' ? `${JSON.stringify(inspectJson(info), null, 2)}\n` : inspectText(info),
  )
}

export function inspectJson(info: MessageHeaderInfo): Record<string, unknown> {
  return {
    authenticated: false,
    version: info.version,
    suiteId: hex(info.suiteId),
    suiteName: info.suiteName,
    committing: COMMITTING.has(info.suiteId),
    signed: SIGNED.has(info.suiteId),
    messageId: Buffer.from(info.messageId).toString('hex'),
    contentType: info.contentType,
    frameLength: info.frameLength,
    headerLength: info.headerLength,
    encryptionContext: info.encryptionContext,
    encryptedDataKeys: info.encryptedDataKeys,
  }
}

function hex(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`
}

/** Header fields for people; control characters in stored strings are escaped. */
export function inspectText(info: MessageHeaderInfo): string {
  const safe = (s: string): string => JSON.stringify(s).slice(1, -1)
  const traits = [
    COMMITTING.has(info.suiteId) ? 'committing' : 'NOT committing',
    SIGNED.has(info.suiteId) ? 'signed' : 'unsigned',
  ]
  const lines = [
    'sealbox message header (UNAUTHENTICATED: anyone can write any header; decrypt to verify it)',
    `  format version      ${info.version}`,
    `  algorithm suite     ${hex(info.suiteId)} ${info.suiteName} (${traits.join(', ')})`,
    `  message id          ${Buffer.from(info.messageId).toString('hex')}`,
    `  body                ${info.contentType === 'framed' ? `framed, ${info.frameLength}-byte frames` : 'non-framed (legacy)'}`,
    `  header size         ${info.headerLength} bytes`,
  ]
  const context = Object.entries(info.encryptionContext)
  lines.push(`  encryption context  ${context.length === 0 ? '(empty)' : ''}`.trimEnd())
  for (const [k, v] of context) lines.push(`    ${safe(k)} = ${safe(v)}`)
  lines.push(`  encrypted data keys (${info.encryptedDataKeys.length})`)
  for (const edk of info.encryptedDataKeys) {
    lines.push(
      edk.providerId === 'aws-kms'
        ? `    aws-kms  ${safe(edk.providerInfo)}`
        : `    raw AES  ${safe(edk.providerId)}/${safe(edk.providerInfo)}`,
    )
  }
  return `${lines.join('\n')}\n`
}
