import { randomBytes } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where the stacks' parameters live: the deploy role is scoped to it. */
export const PARAMETER_PATH = "/boyacky/";

export interface AppSecretsArgs {
  /** The stack's name, e.g. `boyacky-dev`: the parameters are under `/boyacky/<stack>/`. */
  stackName: string;
}

/**
 * What every task of the app must share and nobody may read in its task definition: the secret
 * that signs the CSRF cookie (BOYACKY_COOKIE_SECRET). A form served by one task is posted to any
 * other, so each task cannot make up its own. An SSM SecureString (encrypted with AWS's key for
 * SSM), which ECS hands to the container through the task definition's `secrets` (ECS Developer
 * Guide, "Pass Systems Manager parameters as environment variables"): never in `environment` (FSBP
 * ECS.8). It is generated once; `pulumi up` never rotates it (that would log every open form out).
 */
export class AppSecrets extends pulumi.ComponentResource {
  /** What the task definition's `secrets` names, by environment variable. */
  readonly containerSecrets: Record<string, pulumi.Output<string>>;
  /** The parameters' ARNs: the execution role may read exactly these. */
  readonly parameterArns: pulumi.Output<string>[];

  constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:AppSecrets", name, {}, opts);
    const cookieSecret = new aws.ssm.Parameter(
      `${name}-cookie-secret`,
      {
        name: `${PARAMETER_PATH}${args.stackName}/cookie-secret`,
        description: "Signs Boyacky's CSRF cookie; shared by every task (BOYACKY_COOKIE_SECRET)",
        type: "SecureString",
        value: pulumi.secret(randomBytes(48).toString("base64url")),
      },
      { parent: this, ignoreChanges: ["value"] },
    );

    this.containerSecrets = { BOYACKY_COOKIE_SECRET: cookieSecret.arn };
    this.parameterArns = [cookieSecret.arn];
    this.registerOutputs({ parameterArns: this.parameterArns });
  }
}
