import { AwsKms } from '../../src/kms/aws/index.js'
import { createPrincipal, startServe, tempHome } from '../server/support/cli.js'
import { kmsConformance } from './conformance-suite.js'

// Target 2: kms/aws, through the real @aws-sdk/client-kms, to `sealbox serve` (the CLI, in its
// own process, SigV4 on) on 127.0.0.1 with a free port.
kmsConformance('kms/aws through @aws-sdk/client-kms to sealbox serve', async () => {
  const home = tempHome()
  const principal = createPrincipal(home, 'conformance')
  const serve = await startServe(home, ['--workers', '1'])
  const client = new AwsKms({
    endpoint: serve.url,
    region: 'us-east-1',
    credentials: { accessKeyId: principal.AccessKeyId, secretAccessKey: principal.SecretAccessKey },
    maxAttempts: 1,
  })
  return {
    kms: client.port,
    principal: principal.Arn,
    close: async () => {
      client.close()
      await serve.stop()
    },
  }
})
