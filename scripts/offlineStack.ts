/**
 * Runs the real Pulumi program (index.ts) for a stack entirely in-process under
 * `pulumi.runtime.setMocks`: no CLI, plugins, credentials or network. Config is merged as the CLI
 * does (Pulumi.yaml defaults, then Pulumi.<stack>.yaml, then overrides), and every resource is
 * recorded with its inputs and resource options. Used by the infra tests and `npm run plan`.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { listStacks, PROJECT_ROOT, readProject } from "./project";
import { T } from "./resourceTypes";

export const MOCK_ACCOUNT = "123456789012";

export interface OfflineResource {
  type: string;
  name: string;
  /** Inputs as the program passed them (Outputs resolved). */
  inputs: Record<string, any>;
  /** State the mocks answered with: inputs plus computed attributes (arn, dnsName...). */
  state: Record<string, any>;
  /** Type of the parent component (e.g. `boyacky:infra:Network`), if any. */
  parent?: string;
  /** Name of the parent component, which tells apart two components of one type. */
  parentName?: string;
  options: { retainOnDelete?: boolean; protect?: boolean; ignoreChanges?: string[]; dependsOn: string[] };
}

export interface OfflineStack {
  stack: string;
  config: Record<string, string>;
  resources: OfflineResource[];
  outputs: Record<string, any>;
  /** Tokens of the data sources (invokes) the program called, e.g. `aws:index/getRegion:getRegion`. */
  invokes: string[];
}

/**
 * The id the mocks give a resource: `<logical name>-id`. Where the program passes one resource's
 * `id` to another, the other's inputs hold this.
 */
export function mockIdOf(resource: { name: string }): string {
  return `${resource.name}-id`;
}

/** All resources of a type, e.g. `T.subnet`. */
export function ofType(stack: OfflineStack, type: string): OfflineResource[] {
  return stack.resources.filter((resource) => resource.type === type);
}

/** The resource of a type whose mock id is `id` (e.g. a subnet id found in a service's inputs). */
export function byMockId(stack: OfflineStack, type: string, id: unknown): OfflineResource | undefined {
  return ofType(stack, type).find((resource) => mockIdOf(resource) === id);
}

/** A stack file that is missing, or a config value the program refuses. */
export class OfflineStackError extends Error {}

/** The stack's configuration as the CLI would pass it: project defaults, stack file, overrides. */
export function resolveStackConfig(
  stack: string,
  overrides: Record<string, string> = {},
  projectDir = PROJECT_ROOT,
): { project: string; config: Record<string, string> } {
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) {
    throw new OfflineStackError(
      `no stack "${stack}": ${path.basename(stackFile)} does not exist; stacks here: ${listStacks(projectDir).join(", ")}`,
    );
  }
  const project = readProject(projectDir);
  const config: Record<string, string> = { ...project.defaults };
  const stackConfig = (parse(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
  for (const [key, value] of Object.entries(stackConfig)) config[key] = String(value);
  for (const [key, value] of Object.entries(overrides)) config[key.includes(":") ? key : `${project.name}:${key}`] = value;
  return { project: project.name, config };
}

// Mocks receive secrets wrapped in a marker object; tests and the plan want the plain values.
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
function unwrapSecrets(value: any): any {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    if (SECRET_SIGNATURE in value) return unwrapSecrets(value.value);
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, unwrapSecrets(entry)]));
  }
  return value;
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 7);
}

/** Attributes AWS would compute, so that the program's Outputs resolve to realistic values. */
function computedState(type: string, name: string, inputs: Record<string, any>, region: string): Record<string, any> {
  // The physical name pulumi-aws (v7) gives a resource the program leaves unnamed: `<resource name>-<7 random hex>`,
  // at most 255 characters (provider/autonaming.go, setAutonaming), except for the overrides below. Too long a name is
  // an error (pulumi sdk go/common/resource NewUniqueName: "name '%s' plus %d random chars is longer than maximum length
  // %d"), never truncated. aws_lb has no override, so a load balancer's autoname can exceed AWS's 32 characters.
  const autonaming: Record<string, { property?: string; maxLength: number; lowercase?: boolean }> = {
    [T.targetGroup]: { maxLength: 32 }, // provider/aliases.go: "name": tfbridge.AutoName("name", 32, "-")
    [T.role]: { maxLength: 64 }, // provider/resource_overrides.go: "name": tfbridge.AutoName("name", 64, "-")
    [T.bucket]: { property: "bucket", maxLength: 63, lowercase: true }, // resource_overrides.go: AutoNameTransform("bucket", 63, strings.ToLower)
  };
  const { property = "name", maxLength = 255, lowercase = false } = autonaming[type] ?? {};
  const prefix = `${lowercase ? name.toLowerCase() : name}-`;
  let physicalName: string;
  if (inputs[property] !== undefined) {
    physicalName = inputs[property];
  } else if (inputs[`${property}Prefix`] !== undefined) {
    // Not Pulumi's: the bridge skips the autoname when the conflicting prefix is set, and the Terraform provider appends
    // id.PrefixedUniqueId's 26 characters, a UTC timestamp (18 digits) and an 8-hex counter (terraform-provider-aws
    // internal/create/naming.go, terraform-plugin-sdk helper/id/id.go).
    const hash = createHash("sha256")
      .update(type + name)
      .digest("hex");
    physicalName = `${inputs[`${property}Prefix`]}20250101000000${String(parseInt(hash.slice(0, 4), 16) % 10000).padStart(4, "0")}${hash.slice(4, 12)}`;
  } else if (prefix.length + 7 > maxLength) {
    throw new Error(
      `could not make instance of '${type}': name '${prefix}' plus 7 random chars is longer than maximum length ${maxLength}`,
    );
  } else {
    physicalName = `${prefix}${shortHash(type + name)}`;
  }
  const service = type.split(":")[1]?.split("/")[0] ?? "mock";
  const state: Record<string, any> = {
    ...inputs,
    name: physicalName,
    arn: `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${service}/${physicalName}`,
  };
  switch (type) {
    case T.bucket:
      return { ...state, bucket: physicalName };
    case T.loadBalancer:
      return {
        ...state,
        dnsName: `${physicalName}-1234567890.${region}.elb.amazonaws.com`,
        arnSuffix: `app/${physicalName}/0123456789abcdef`,
      };
    case T.targetGroup:
      return { ...state, arnSuffix: `targetgroup/${physicalName}/0123456789abcdef` };
    case T.repository:
      return { ...state, registryId: MOCK_ACCOUNT, repositoryUrl: `${MOCK_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${physicalName}` };
    case T.image: {
      const repository = String(inputs.imageName).replace(/:[^:/]+$/, "");
      return { ...state, repoDigest: `${repository}@sha256:${createHash("sha256").update(String(inputs.imageName)).digest("hex")}` };
    }
    case T.vpc:
      return { ...state, defaultSecurityGroupId: `sg-default${shortHash(name)}` };
    case T.distribution: {
      const id = `E${shortHash(name).toUpperCase()}MOCK`;
      return {
        ...state,
        arn: `arn:aws:cloudfront::${MOCK_ACCOUNT}:distribution/${id}`,
        domainName: `d${shortHash(name)}mock.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
      };
    }
    case T.vpcOrigin:
      return { ...state, arn: `arn:aws:cloudfront::${MOCK_ACCOUNT}:vpcorigin/vo_${shortHash(name)}` };
    case T.certificate: {
      const certificateRegion = inputs.region ?? region;
      return {
        ...state,
        arn: `arn:aws:acm:${certificateRegion}:${MOCK_ACCOUNT}:certificate/${shortHash(name)}-0000-4000-8000-000000000000`,
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_${shortHash(name)}.${inputs.domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${shortHash(name)}.acm-validations.aws.`,
          },
        ],
      };
    }
    case T.record:
      return { ...state, fqdn: inputs.name };
    case T.webAcl:
      return { ...state, arn: `arn:aws:wafv2:${inputs.region ?? region}:${MOCK_ACCOUNT}:global/webacl/${inputs.name}/${shortHash(name)}` };
    case T.logDeliverySource:
      return { ...state, arn: `arn:aws:logs:${inputs.region ?? region}:${MOCK_ACCOUNT}:delivery-source:${inputs.name}` };
    case T.logDeliveryDestination:
      return { ...state, arn: `arn:aws:logs:${inputs.region ?? region}:${MOCK_ACCOUNT}:delivery-destination:${inputs.name}` };
    default:
      return state;
  }
}

let running = false;

/**
 * Runs the program (index.ts of `projectDir`, the main project by default) for `stack` under
 * mocks and returns what it registered and exported.
 */
export async function runOfflineStack(
  stack: string,
  overrides: Record<string, string> = {},
  projectDir = PROJECT_ROOT,
): Promise<OfflineStack> {
  if (running) throw new Error("runOfflineStack: one stack at a time (the Pulumi runtime is global)");
  running = true;
  const { project, config } = resolveStackConfig(stack, overrides, projectDir);
  const region = config["aws:region"] ?? "";
  const resources: OfflineResource[] = [];
  const invokes = new Set<string>();
  // What the provider would refuse before calling AWS (e.g. an autoname over its maximum length).
  const refusals: string[] = [];
  const options = new Map<string, OfflineResource["options"] & { parent?: string; parentName?: string }>();
  const previousDir = process.cwd();
  try {
    process.chdir(projectDir); // as the CLI does: the program's relative paths (./app) resolve here
    pulumi.runtime.setAllConfig(config);
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          const inputs = unwrapSecrets(args.inputs);
          let state: Record<string, any>;
          try {
            state = computedState(args.type, args.name, inputs, region);
          } catch (error) {
            refusals.push((error as Error).message);
            state = inputs;
          }
          const recorded = options.get(`${args.type}::${args.name}`);
          resources.push({
            type: args.type,
            name: args.name,
            inputs,
            state,
            parent: recorded?.parent,
            parentName: recorded?.parentName,
            options: {
              retainOnDelete: recorded?.retainOnDelete,
              protect: recorded?.protect,
              ignoreChanges: recorded?.ignoreChanges,
              dependsOn: recorded?.dependsOn ?? [],
            },
          });
          return { id: mockIdOf(args), state };
        },
        call: (args) => {
          invokes.add(args.token);
          switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
              return {
                names: ["a", "c", "d"].map((zone) => `${region}${zone}`),
                zoneIds: ["az4", "az1", "az2"].map((zone) => `apne1-${zone}`),
              };
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
              return {
                userName: "AWS",
                password: "mock-ecr-token",
                proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`,
              };
            case "aws:index/getCallerIdentity:getCallerIdentity":
              return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/mock`, userId: "mock" };
            case "aws:index/getRegion:getRegion":
              return { name: region, region };
            case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
              // CloudFront's origin-facing list: AWS-managed, a few dozen ranges (two stand in for them).
              return {
                id: "pl-58a04531",
                name: args.inputs.name,
                maxEntries: 55,
                entries: [
                  { cidr: "120.52.22.96/27", description: "" },
                  { cidr: "205.251.249.0/24", description: "" },
                ],
              };
            case "aws:route53/getZone:getZone":
              return { zoneId: "Z0MOCKZONE0123456789", name: args.inputs.name };
            default:
              return args.inputs;
          }
        },
      },
      project,
      stack,
      false,
    );
    const programPath = require.resolve(path.join(projectDir, "index.ts"));
    delete require.cache[programPath];
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
      // Resource options are not part of what mocks see: a stack transformation records them.
      pulumi.runtime.registerStackTransformation((args) => {
        options.set(`${args.type}::${args.name}`, {
          parent: (args.opts.parent as { __pulumiType?: string } | undefined)?.__pulumiType,
          parentName: (args.opts.parent as { __name?: string } | undefined)?.__name,
          retainOnDelete: args.opts.retainOnDelete,
          protect: args.opts.protect,
          ignoreChanges: args.opts.ignoreChanges,
          dependsOn: ([] as unknown[]).concat(args.opts.dependsOn ?? []).map((dependency) => (dependency as any)?.__name ?? "?"),
        });
        return undefined;
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is loaded afresh for each run (its cache entry was dropped above)
      return require(programPath);
    });
    // Wait for every registration the program started, including those inside applies.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK-internal module with no typed export path
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (refusals.length) throw new OfflineStackError(`the provider would refuse this program:\n  - ${refusals.join("\n  - ")}`);
    return { stack, config, resources, outputs: outputs ?? {}, invokes: [...invokes].sort() };
  } catch (error) {
    if (error instanceof pulumi.RunError) throw new OfflineStackError(error.message);
    throw error;
  } finally {
    process.chdir(previousDir);
    running = false;
  }
}
