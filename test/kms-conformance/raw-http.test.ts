import { rawKms } from '../server/support/raw-kms.js'
import { createPrincipal, startServe, tempHome } from '../server/support/cli.js'
import { kmsConformance } from './conformance-suite.js'

// Target 3: the raw protocol. Every call is a hand-built, hand-signed AWS JSON 1.1 request, and
// every response is checked for its exact status, headers and error body before it is read.
// The server runs two worker processes sharing the keystore.
kmsConformance('hand-signed AWS JSON 1.1 requests to sealbox serve (2 workers)', async () => {
  const home = tempHome()
  const principal = createPrincipal(home, 'conformance')
  const serve = await startServe(home, ['--workers', '2'])
  return {
    principal: principal.Arn,
    kms: rawKms(serve.url, 'us-east-1', {
      accessKeyId: principal.AccessKeyId,
      secretAccessKey: principal.SecretAccessKey,
    }),
    close: async () => {
      await serve.stop()
    },
  }
})
