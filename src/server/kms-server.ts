import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { randomUUID } from '../crypto/index.js'
import { createKmsRequestHandler, type KmsHandlerOptions } from './kms-request-handler.js'

/** The documented default port of `sealbox serve`. */
export const DEFAULT_PORT = 4599
export const DEFAULT_HOST = '127.0.0.1'

export interface KmsServerOptions extends KmsHandlerOptions {
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer }
}

export interface RunningKmsServer {
  /** `http://127.0.0.1:4599` */
  readonly url: string
  readonly host: string
  readonly port: number
  /**
   * Stops accepting connections, lets requests in flight finish, closes idle connections, and
   * resolves once every connection is gone (forcing them closed after `graceMs`).
   */
  close(graceMs?: number): Promise<void>
}

// A connection-level failure (bad HTTP, headers too large) still gets an answer in AWS's shape.
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (error.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy()
    return
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW'
  const body = JSON.stringify({
    __type: tooLarge ? 'ValidationException' : 'SerializationException',
    message: tooLarge ? 'the request headers are too large' : 'the request is not valid HTTP',
  })
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
      `x-amzn-RequestId: ${randomUUID()}\r\nContent-Type: application/x-amz-json-1.1\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

/** Starts the AWS KMS JSON 1.1 endpoint; resolves once it is listening. */
export async function startKmsServer(options: KmsServerOptions): Promise<RunningKmsServer> {
  // Once stopping, every answer still to come ends its connection instead of keeping it alive.
  const stopping = new AbortController()
  const handler = createKmsRequestHandler(options, stopping.signal)
  const server: Server =
    options.tls === undefined
      ? createHttpServer({ requestTimeout: 30_000 }, handler)
      : createHttpsServer(
          { requestTimeout: 30_000, cert: options.tls.cert, key: options.tls.key },
          handler,
        )
  server.on('clientError', answerClientError)
  server.keepAliveTimeout = 65_000
  const host = options.host ?? DEFAULT_HOST
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const scheme = options.tls === undefined ? 'http' : 'https'
  const urlHost = host.includes(':') ? `[${host}]` : host
  let closing: Promise<void> | undefined
  return {
    url: `${scheme}://${urlHost}:${port}`,
    host,
    port,
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        stopping.abort()
        const force = setTimeout(() => server.closeAllConnections(), graceMs)
        force.unref()
        server.close(() => {
          clearTimeout(force)
          resolve()
        })
        // Requests in flight keep their connection until answered; idle keep-alive ones go now.
        server.closeIdleConnections()
      })
      return closing
    },
  }
}
