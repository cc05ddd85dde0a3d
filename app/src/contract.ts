/**
 * What the app and the Pulumi program must agree on, in one place that both import (as
 * store/tableDesign.ts is for the table): the container's port and user, the health check's path,
 * the shutdown timing, and the environments of the app and of its export job. test/contract.test.ts checks app/Dockerfile,
 * compose.yaml and the task definition against it.
 */
import type { AppConfig } from "./config";
import type { ExportConfig } from "./export/exportConfig";
import type { TrustedProxies } from "./http/clientIdentity";

/** The port the app listens on in its container: PORT's default, the image's EXPOSE, the task's port mapping. */
export const CONTAINER_PORT = 8080;
/** The liveness probe the load balancer's health check calls (no DynamoDB call behind it). */
export const HEALTH_PATH = "/healthz";
/** uid:gid of the image's `node` user (app/Dockerfile: USER node): the task runs the container as it, never as root. */
export const CONTAINER_USER = "1000:1000";
/** How long the app waits for in-flight requests after SIGTERM: BOYACKY_SHUTDOWN_TIMEOUT_MS's default. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

function trustedProxiesText(trusted: TrustedProxies): string {
  switch (trusted.kind) {
    case "none":
      return "none";
    case "hops":
      return String(trusted.hops);
    case "cidrs":
      return trusted.cidrs.join(",");
  }
}

type EnvironmentSettings = Omit<AppConfig, "cookieSecret">;

/** Each setting's variables: a setting added to AppConfig does not compile until it is written here too. */
const VARIABLES: { [K in keyof EnvironmentSettings]-?: (value: EnvironmentSettings[K]) => Record<string, string | undefined> } = {
  port: (port) => ({ PORT: String(port) }),
  host: (host) => ({ HOST: host }),
  tableName: (tableName) => ({ BOYACKY_TABLE: tableName }),
  timeZone: (timeZone) => ({ BOYACKY_TIME_ZONE: timeZone }),
  pageSize: (pageSize) => ({ BOYACKY_PAGE_SIZE: String(pageSize) }),
  retentionDays: (days) => ({ BOYACKY_RETENTION_DAYS: days === undefined ? undefined : String(days) }),
  dynamoEndpoint: (endpoint) => ({ DYNAMODB_ENDPOINT: endpoint }),
  region: (region) => ({ AWS_REGION: region }),
  logLevel: (level) => ({ LOG_LEVEL: level }),
  trustedProxies: (trusted) => ({ BOYACKY_TRUSTED_PROXIES: trustedProxiesText(trusted) }),
  forwardedProtoHeader: (header) => ({ BOYACKY_FORWARDED_PROTO_HEADER: header }),
  shutdownTimeoutMs: (ms) => ({ BOYACKY_SHUTDOWN_TIMEOUT_MS: String(ms) }),
  requestTimeoutMs: (ms) => ({ BOYACKY_REQUEST_TIMEOUT_MS: String(ms) }),
  rateLimit: (limits) => ({
    BOYACKY_RATE_LIMIT_PER_MINUTE: String(limits.perMinute),
    BOYACKY_WRITE_RATE_LIMIT_PER_MINUTE: String(limits.writesPerMinute),
  }),
};

/** The export job's own settings' variables (its shared ones are the app's, above). */
const EXPORT_VARIABLES: {
  [K in Exclude<keyof ExportConfig, keyof EnvironmentSettings>]-?: (value: ExportConfig[K]) => Record<string, string | undefined>;
} = {
  destination: (destination) =>
    "bucket" in destination ? { BOYACKY_EXPORT_BUCKET: destination.bucket } : { BOYACKY_EXPORT_DIR: destination.directory },
  comprehendEndpoint: (endpoint) => ({ COMPREHEND_ENDPOINT: endpoint }),
  s3Endpoint: (endpoint) => ({ S3_ENDPOINT: endpoint }),
};

/** The variables of every setting given; settings left undefined are left out. */
function environmentOf(settings: Partial<EnvironmentSettings & ExportConfig>): Record<string, string> {
  const writers = { ...VARIABLES, ...EXPORT_VARIABLES } as Record<string, (value: unknown) => Record<string, string | undefined>>;
  const values = settings as Record<string, unknown>;
  const environment: Record<string, string> = {};
  for (const [key, write] of Object.entries(writers)) {
    if (values[key] === undefined) continue;
    for (const [name, text] of Object.entries(write(values[key]))) if (text !== undefined) environment[name] = text;
  }
  return environment;
}

/**
 * The environment that gives the app exactly these settings: the inverse of `loadConfig`
 * (`loadConfig(appEnvironment(config))` is `config` again; test/contract.test.ts). Settings
 * left undefined are left out. The cookie secret is not an environment variable of the task
 * definition (FSBP ECS.8): give it through the task's `secrets` instead.
 */
export function appEnvironment(config: EnvironmentSettings): Record<string, string> {
  return environmentOf(config);
}

/** The environment that gives the export job exactly these settings: the inverse of `loadExportConfig`. */
export function exportEnvironment(config: ExportConfig): Record<string, string> {
  return environmentOf(config);
}
