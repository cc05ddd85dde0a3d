import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TABLE_KEYS, TTL_ATTRIBUTE } from "../app/src/store/tableDesign";

export interface DataArgs {
  /**
   * Production protections: deletion protection, and the table is kept (retainOnDelete) when the
   * stack is destroyed. False: `pulumi destroy` removes it.
   */
  protectData: boolean;
}

/**
 * The grumbles table, with the key design the app queries (imported from the app, so the two
 * cannot drift): on-demand capacity, TTL on the expiry attribute, encrypted at rest with the
 * AWS-owned key (free; a customer key would add KMS costs for no gain here), and point-in-time
 * recovery in every stack: it is billed per GB of table, so it costs nothing noticeable for a dev
 * table, and dev then behaves like prod.
 */
export class Data extends pulumi.ComponentResource {
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: DataArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:Data", name, {}, opts);
    const { protectData } = args;

    const table = new aws.dynamodb.Table(
      `${name}-grumbles`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: TABLE_KEYS.partitionKey,
        rangeKey: TABLE_KEYS.sortKey,
        attributes: [
          { name: TABLE_KEYS.partitionKey, type: "S" },
          { name: TABLE_KEYS.sortKey, type: "S" },
        ],
        ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: protectData,
      },
      { parent: this, retainOnDelete: protectData },
    );

    this.tableName = table.name;
    this.tableArn = table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}
