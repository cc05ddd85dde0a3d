import { ComprehendClient } from "@aws-sdk/client-comprehend";
import { S3Client } from "@aws-sdk/client-s3";
import { defaultProvider } from "@aws-sdk/credential-provider-node";

type CredentialsProvider = ReturnType<typeof defaultProvider>;

export interface AwsClientOptions {
  region: string;
  /** Endpoint override for a local server or a test stand-in; default AWS. */
  endpoint?: string;
  /** Default: the SDK's own chain (environment, profile, the ECS task role...). */
  credentials?: CredentialsProvider | { accessKeyId: string; secretAccessKey: string };
}

/**
 * Attempts per Comprehend call. Its quotas are per second, so throttling passes quickly: between
 * the 5 attempts the SDK's standard retries wait up to 0.5, 1, 2 and 4 s (random, "full jitter").
 */
export const COMPREHEND_MAX_ATTEMPTS = 5;

// Bounded waits: a batch job must end with an error rather than hang on a silent server.
function requestHandler(requestTimeoutMs: number) {
  return { connectionTimeout: 3_000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true };
}

export function createComprehendClient(options: AwsClientOptions, maxAttempts = COMPREHEND_MAX_ATTEMPTS): ComprehendClient {
  return new ComprehendClient({ ...options, maxAttempts, requestHandler: requestHandler(15_000) });
}

export function createS3Client(options: AwsClientOptions): S3Client {
  // A local S3 server answers on one host, not on `<bucket>.<host>`.
  return new S3Client({ ...options, forcePathStyle: options.endpoint !== undefined, requestHandler: requestHandler(60_000) });
}

/**
 * The SDK's credentials when it finds any, or why it found none. Resolved once here, and then
 * refreshed by the provider itself as they expire (an ECS task role's do).
 */
export async function findCredentials(): Promise<{ provider: CredentialsProvider } | { missing: string }> {
  const provider = defaultProvider();
  try {
    await provider();
    return { provider };
  } catch (error) {
    return { missing: error instanceof Error ? error.message : String(error) };
  }
}
