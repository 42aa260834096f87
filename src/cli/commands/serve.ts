import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

export function register(program: Command, runtime: Runtime): void {
  program
    .command('serve')
    .description(
      'serve the embedded KMS over the AWS KMS JSON API, SigV4-verified (default http://127.0.0.1:4599)',
    )
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default 4599; 0 picks a free port)')
    .option(
      '--workers <n>',
      'server processes sharing the port and the keystore (default: one per CPU)',
    )
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option(
      '--no-auth',
      'do not check signatures: every request acts as the account root (or --principal)',
    )
    .option('--principal <arn>', 'with --no-auth: the IAM ARN every request acts as')
    .option(
      '--seed <file>',
      "make the keys of a seed file exist before serving (see 'sealbox kms seed --help')",
    )
    .option(
      '--throttle <rps>',
      "cryptographic requests per second before ThrottlingException, as AWS quotas do (shared out evenly among workers: a client on one keep-alive connection meets one worker's share)",
    )
    .option(
      '--fault-rate <fraction>',
      'answer this share of requests (e.g. 0.05) with an injected error (see --fault-types), to test retries',
    )
    .option(
      '--fault-types <types>',
      'comma-separated errors --fault-rate injects, each only where AWS can raise it: KMSInternalException (500, the default), DependencyTimeoutException (503), KeyUnavailableException (500, cryptographic operations), ThrottlingException (400)',
    )
    .option(
      '--latency <ms>',
      'delay answers to cryptographic requests by MS, or by MIN-MAX milliseconds drawn evenly (e.g. 50-300)',
    )
    .option(
      '--fault-seed <n>',
      'draw faults and delays from seed N, so a run repeats (implies --workers 1)',
    )
    .addHelpText(
      'after',
      `
The region is --region, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. Requests must be
signed (SigV4, service kms) with an access key from 'sealbox principals create NAME'.
Point the AWS CLI or an SDK at it with --endpoint-url http://127.0.0.1:4599 (or AWS_ENDPOINT_URL_KMS).
The URL is printed on stdout once the server listens; SIGTERM stops it gracefully.
GET /health answers 200 without a signature while serving, 503 once stopping.`,
    )
    .action(async (flags: Record<string, unknown>) => {
      const [{ runServe }, { serveDeps }] = await Promise.all([
        import('../serve/run-serve.js'),
        import('../serve/keystore-access.js'),
      ])
      await runServe(flags, serveDeps(runtime))
    })
}
