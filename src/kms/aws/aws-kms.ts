import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetKeyLastUsageCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms'
import {
  KMS_OPERATION_NAMES,
  methodName,
  type KmsInput,
  type KmsOperationName,
  type KmsOutput,
  type KmsPort,
} from '../types/index.js'
import { fromAwsError } from './aws-error.js'
import { fromSdk, toSdk } from './sdk-shape.js'

// The SDK command behind each operation of the port.
const COMMANDS = {
  CreateKey: CreateKeyCommand,
  DescribeKey: DescribeKeyCommand,
  ListKeys: ListKeysCommand,
  UpdateKeyDescription: UpdateKeyDescriptionCommand,
  CreateAlias: CreateAliasCommand,
  UpdateAlias: UpdateAliasCommand,
  DeleteAlias: DeleteAliasCommand,
  ListAliases: ListAliasesCommand,
  TagResource: TagResourceCommand,
  UntagResource: UntagResourceCommand,
  ListResourceTags: ListResourceTagsCommand,
  EnableKey: EnableKeyCommand,
  DisableKey: DisableKeyCommand,
  ScheduleKeyDeletion: ScheduleKeyDeletionCommand,
  CancelKeyDeletion: CancelKeyDeletionCommand,
  Encrypt: EncryptCommand,
  Decrypt: DecryptCommand,
  ReEncrypt: ReEncryptCommand,
  GenerateDataKey: GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintext: GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandom: GenerateRandomCommand,
  EnableKeyRotation: EnableKeyRotationCommand,
  DisableKeyRotation: DisableKeyRotationCommand,
  GetKeyRotationStatus: GetKeyRotationStatusCommand,
  RotateKeyOnDemand: RotateKeyOnDemandCommand,
  ListKeyRotations: ListKeyRotationsCommand,
  GetParametersForImport: GetParametersForImportCommand,
  ImportKeyMaterial: ImportKeyMaterialCommand,
  DeleteImportedKeyMaterial: DeleteImportedKeyMaterialCommand,
  GetKeyPolicy: GetKeyPolicyCommand,
  PutKeyPolicy: PutKeyPolicyCommand,
  ListKeyPolicies: ListKeyPoliciesCommand,
  CreateGrant: CreateGrantCommand,
  ListGrants: ListGrantsCommand,
  ListRetirableGrants: ListRetirableGrantsCommand,
  RetireGrant: RetireGrantCommand,
  RevokeGrant: RevokeGrantCommand,
  GetKeyLastUsage: GetKeyLastUsageCommand,
} as const satisfies Record<KmsOperationName, unknown>

type AnyCommand = new (input: unknown) => Parameters<KMSClient['send']>[0]

export interface AwsKmsOptions {
  /** Else the SDK's chain: AWS_REGION, AWS_DEFAULT_REGION, the profile's region. */
  region?: string
  /** Else AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL (read by the SDK), else AWS's own endpoint. */
  endpoint?: string
  /** A named profile of ~/.aws/config; else AWS_PROFILE or the default. */
  profile?: string
  /** Explicit credentials; else the SDK's standard chain (environment, profile, SSO, IMDS…). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  maxAttempts?: number
}

/** The KMS port over `@aws-sdk/client-kms`: AWS KMS, `sealbox serve`, or any compatible endpoint. */
export class AwsKms {
  readonly client: KMSClient
  readonly port: KmsPort
  private readonly endpointName: string

  constructor(options: AwsKmsOptions = {}) {
    const config: KMSClientConfig = {}
    if (options.region !== undefined) config.region = options.region
    if (options.endpoint !== undefined) config.endpoint = options.endpoint
    if (options.profile !== undefined) config.profile = options.profile
    if (options.credentials !== undefined) config.credentials = options.credentials
    if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts
    this.client = new KMSClient(config)
    this.endpointName = options.endpoint ?? 'the AWS KMS endpoint'
    const port: Record<string, (input: unknown) => Promise<unknown>> = {}
    for (const op of KMS_OPERATION_NAMES) {
      port[methodName(op)] = (input) => this.call(op, input as KmsInput<typeof op>)
    }
    this.port = port as KmsPort
  }

  async call<Op extends KmsOperationName>(op: Op, input: KmsInput<Op>): Promise<KmsOutput<Op>> {
    const Command = COMMANDS[op] as unknown as AnyCommand
    try {
      const output = await this.client.send(new Command(toSdk(input)))
      return fromSdk(output) as KmsOutput<Op>
    } catch (e) {
      throw fromAwsError(e, this.endpointName)
    }
  }

  close(): void {
    this.client.destroy()
  }
}
