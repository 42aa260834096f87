import type { KmsPort } from '../../kms/types/index.js'

/**
 * A KMS port that opens the configured KMS on first use, so a message wrapped only under raw
 * keys never opens the keystore or loads a KMS client.
 */
export function lazyKms(open: () => Promise<KmsPort>): KmsPort {
  let opened: Promise<KmsPort> | undefined
  return new Proxy({} as KmsPort, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined
      return async (input: unknown) => {
        opened ??= open()
        const kms = (await opened) as unknown as Record<
          string,
          (input: unknown) => Promise<unknown>
        >
        return kms[name]!.call(kms, input)
      }
    },
  })
}
