import { setMaxListeners } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AuditLog } from '../audit/types/index.js'
import type { Clock } from '../clock/index.js'
import { randomUUID } from '../crypto/index.js'
import type { Caller, KmsInput, KmsOperationName, KmsProvider } from '../kms/types/index.js'
import { awsError, toAwsError, type AwsError } from './aws-error.js'
import { CryptoRateLimit } from './crypto-rate-limit.js'
import { FaultInjection, type FaultOptions } from './fault-injection.js'
import type { PrincipalDirectory } from './principal-directory.js'
import { dispatch, inputFor, operationFor } from './router.js'
import { SigV4Verifier } from './sigv4-verifier.js'
import type { SignableRequest } from './sigv4.js'

/** `GET /health`: 200 while serving, 503 once stopping, so a probe stops sending traffic here. */
const HEALTH_PATH = '/health'
const HEALTH_OK = JSON.stringify({ status: 'ok' })
const HEALTH_STOPPING = JSON.stringify({ status: 'stopping' })

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
const CONTENT_TYPE = 'application/x-amz-json-1.1'

export type ServerAuth =
  /** SigV4 on every request, against these principals. */
  | { mode: 'sigv4'; principals: PrincipalDirectory }
  /** No signature checked: every request acts as this caller. */
  | { mode: 'none'; caller: Omit<Caller, 'requestId' | 'sourceIp' | 'userAgent'> }

export interface KmsHandlerOptions {
  provider: KmsProvider
  /** Where refusals that never reach the KMS are recorded. */
  audit: AuditLog
  clock: Clock
  region: string
  auth: ServerAuth
  maxBodyBytes?: number
  /** Cryptographic requests per second before ThrottlingException (AWS's shared quota). */
  cryptoRequestsPerSecond?: number
  /** Injected errors and latency, to exercise clients' retries and timeouts. */
  faults?: FaultOptions
  /** Told about failures that are ours (bugs, broken keystore), with the request id. */
  onInternalError?: (error: unknown, requestId: string) => void
}

class Refusal {
  constructor(
    readonly error: AwsError,
    readonly principal: string,
    readonly operation: string,
  ) {}
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text
}

function utf8Text(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8')
}

function rawHeaderPairs(raw: string[]): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!])
  return pairs
}

/**
 * The AWS KMS JSON 1.1 protocol over a `KmsProvider`: `POST /` with
 * `X-Amz-Target: TrentService.<Operation>`. Every request is answered in AWS's shape with an
 * `x-amzn-RequestId`; nothing a client sends can make it throw. Once `stopping` is aborted,
 * answers close their connection and injected latency is cut short.
 */
export function createKmsRequestHandler(
  options: KmsHandlerOptions,
  stopping: AbortSignal = new AbortController().signal,
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const verifier =
    options.auth.mode === 'sigv4'
      ? new SigV4Verifier({
          region: options.region,
          service: 'kms',
          clock: options.clock,
          principals: options.auth.principals,
        })
      : undefined
  const noAuthCaller = options.auth.mode === 'none' ? options.auth.caller : undefined
  const rateLimit =
    options.cryptoRequestsPerSecond === undefined
      ? undefined
      : new CryptoRateLimit(options.cryptoRequestsPerSecond)
  const faults = options.faults === undefined ? undefined : new FaultInjection(options.faults)
  // Each delayed request listens on `stopping` while it waits: past Node's default of 10 at once,
  // it would warn of a leak that is not one.
  if (faults !== undefined) setMaxListeners(0, stopping)

  // The Date header is the KMS clock's time (SDKs correct their clock skew from it); it has a
  // precision of one second, so it is read at most once per second of wall time.
  let date = { text: '', until: 0 }
  function dateHeader(): string {
    const wall = Date.now()
    if (wall >= date.until)
      date = { text: options.clock.now().toUTCString(), until: wall + 1000 - (wall % 1000) }
    return date.text
  }

  function send(res: ServerResponse, requestId: string, status: number, body: string): void {
    if (res.headersSent || res.destroyed) return
    // one writeHead with a flat list: cheaper than four setHeader calls on every answer
    const headers = [
      'x-amzn-RequestId',
      requestId,
      'Content-Type',
      CONTENT_TYPE,
      'Content-Length',
      String(Buffer.byteLength(body)),
      'Date',
      dateHeader(),
    ]
    if (stopping.aborted) headers.push('Connection', 'close')
    res.writeHead(status, headers)
    res.end(body)
  }

  function sendError(res: ServerResponse, requestId: string, error: AwsError): void {
    send(
      res,
      requestId,
      error.status,
      JSON.stringify({ __type: error.type, message: error.message }),
    )
  }

  /** Records a refusal; settles once it is committed (a failure to record goes to onInternalError). */
  async function audit(
    refusal: Refusal,
    requestId: string,
    sourceIp: string | undefined,
  ): Promise<void> {
    try {
      options.audit.append({
        time: options.clock.now(),
        principal: refusal.principal,
        operation: refusal.operation,
        outcome: refusal.error.type,
        requestId,
        ...(sourceIp === undefined ? {} : { sourceIp }),
      })
      await options.audit.committed()
    } catch (e) {
      options.onInternalError?.(e, requestId)
    }
  }

  function authenticate(
    request: SignableRequest,
    operation: string,
    base: Omit<Caller, 'principal' | 'accountId'>,
  ): Caller {
    if (verifier === undefined) return { ...noAuthCaller!, ...base }
    const result = verifier.verify(request)
    if (!result.ok) {
      const who = result.principal ?? result.accessKeyId ?? 'anonymous'
      throw new Refusal(awsError(result.code, result.message), who, operation)
    }
    return { principal: result.principal.arn, accountId: result.principal.accountId, ...base }
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    body: Uint8Array,
  ): Promise<void> {
    const sourceIp = req.socket.remoteAddress
    const userAgent = req.headers['user-agent']
    const target = req.headers['x-amz-target']
    const op: KmsOperationName | undefined = operationFor(
      typeof target === 'string' ? target : undefined,
    )
    const operation = op ?? clip(typeof target === 'string' ? target : String(target ?? ''), 128)
    const [path = '', query = ''] = (req.url ?? '').split('?', 2)
    const base: Omit<Caller, 'principal' | 'accountId'> = {
      requestId,
      ...(sourceIp === undefined ? {} : { sourceIp }),
      ...(typeof userAgent === 'string' ? { userAgent: clip(userAgent, 256) } : {}),
    }
    let caller: Caller
    try {
      if (req.method !== 'POST' || path !== '/' || op === undefined) {
        throw new Refusal(
          awsError(
            'UnknownOperationException',
            op === undefined
              ? `unknown operation '${clip(operation, 128)}': expected X-Amz-Target: TrentService.<Operation>`
              : `${req.method ?? ''} ${clip(path, 128)} is not an operation: send POST /`,
          ),
          'anonymous',
          operation,
        )
      }
      const request: SignableRequest = {
        method: req.method,
        path,
        query,
        headers: rawHeaderPairs(req.rawHeaders),
        body,
      }
      caller = authenticate(request, operation, base)
      if (rateLimit !== undefined && !rateLimit.admit(op)) {
        throw new Refusal(awsError('ThrottlingException', 'Rate exceeded'), caller.principal, op)
      }
      const fault = faults?.draw(op)
      if (fault !== undefined && fault.delayMs > 0) {
        await sleep(fault.delayMs, undefined, { signal: stopping }).catch(() => undefined)
      }
      if (fault?.error !== undefined) throw new Refusal(fault.error, caller.principal, op)
      let parsed: unknown = {}
      if (body.length > 0) {
        try {
          parsed = JSON.parse(utf8Text(body))
        } catch {
          // a SyntaxError, or a RangeError for nesting too deep to parse
          throw new Refusal(
            awsError('SerializationException', 'the request body is not valid JSON'),
            caller.principal,
            op,
          )
        }
      }
      let input: KmsInput<typeof op>
      try {
        input = inputFor(op, parsed)
      } catch (e) {
        throw new Refusal(toAwsError(e), caller.principal, op)
      }
      let output: string
      try {
        output = await dispatch(options.provider.forCaller(caller), op, input)
      } catch (e) {
        // The KMS has recorded this failure itself.
        const error = toAwsError(e)
        if (error.internal) options.onInternalError?.(e, requestId)
        sendError(res, requestId, error)
        return
      }
      send(res, requestId, 200, output)
    } catch (e) {
      if (e instanceof Refusal) {
        await audit(e, requestId, sourceIp)
        sendError(res, requestId, e.error)
        return
      }
      const error = toAwsError(e)
      if (error.internal) options.onInternalError?.(e, requestId)
      sendError(res, requestId, error)
    }
  }

  return (req, res) => {
    const requestId = randomUUID()
    if (req.method === 'GET' && req.url === HEALTH_PATH) {
      // For container and load-balancer probes: unauthenticated, names no key, not audited.
      if (stopping.aborted) send(res, requestId, 503, HEALTH_STOPPING)
      else send(res, requestId, 200, HEALTH_OK)
      req.resume()
      return
    }
    const declared = Number(req.headers['content-length'] ?? 0)
    const tooLarge = (): void => {
      const error = {
        ...awsError(
          'ValidationException',
          `the request body is larger than the limit of ${maxBody} bytes`,
        ),
        status: 413,
      }
      const target = req.headers['x-amz-target']
      void audit(
        new Refusal(
          error,
          'anonymous',
          operationFor(typeof target === 'string' ? target : undefined) ??
            clip(String(target ?? ''), 128),
        ),
        requestId,
        req.socket.remoteAddress,
      ).then(() => {
        res.setHeader('Connection', 'close')
        sendError(res, requestId, error)
        res.once('finish', () => req.socket.destroy())
      })
    }
    if (declared > maxBody) {
      tooLarge()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > maxBody) {
        refused = true
        chunks.length = 0
        tooLarge()
        return
      }
      chunks.push(chunk)
    })
    req.on('error', () => {
      refused = true
    })
    req.on('end', () => {
      if (refused) return
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
      handle(req, res, requestId, new Uint8Array(body.buffer, body.byteOffset, body.length)).catch(
        (e: unknown) => {
          options.onInternalError?.(e, requestId)
          sendError(res, requestId, toAwsError(undefined))
        },
      )
    })
  }
}
