import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DYNAMODB_ACTIONS } from "../app/src/store/tableDesign";

export const TASK_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
/** What ECS needs to move traffic between target groups (ECS Developer Guide, "Amazon ECS infrastructure IAM role for load balancers"). */
export const LOAD_BALANCER_INFRASTRUCTURE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers";
/**
 * Every stack's roles live under this IAM path, so the deploy role can be scoped to
 * `role/boyacky/*` and never reaches the bootstrap's own roles (bootstrap/deployPermissions.ts).
 */
export const STACK_ROLE_PATH = "/boyacky/";

/** What ECS Exec's agent needs; AWS allows no narrower resource than `*` for these. */
const EXEC_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
];

/**
 * A trust policy for an AWS service acting for this account only: the confused-deputy guard
 * (aws:SourceAccount) on ECS tasks, ECS itself or EventBridge Scheduler.
 */
export function serviceTrustPolicy(service: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(accountId).apply((account) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: service },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": account } },
        },
      ],
    }),
  );
}

export interface TaskRolesArgs {
  /** The table the app reads and writes: the task role may touch nothing else. */
  tableArn: pulumi.Input<string>;
  /** Also allow ECS Exec (`aws ecs execute-command`). Default false. */
  enableExecuteCommand?: boolean;
  /** Also the role ECS assumes to shift traffic between target groups (canary, linear, blue-green). Default false. */
  trafficShifting?: boolean;
  /** SSM parameters ECS reads into the container's environment at start: the execution role may read exactly these. Default none. */
  secretParameterArns?: pulumi.Input<string>[];
}

/**
 * The two IAM roles of the task: the execution role (ECS pulls the image and writes logs, through
 * AWS's managed policy) and the task role (the app itself: exactly the DynamoDB actions it calls,
 * on the table's ARN only). Both trust ECS tasks from this account only.
 */
export class TaskRoles extends pulumi.ComponentResource {
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  /** With trafficShifting: the infrastructure role for the service's load balancer advanced configuration. */
  readonly loadBalancerRoleArn?: pulumi.Output<string>;

  constructor(name: string, args: TaskRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:TaskRoles", name, {}, opts);
    const parent = { parent: this };
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const assumeRolePolicy = serviceTrustPolicy("ecs-tasks.amazonaws.com", account);

    const executionRole = new aws.iam.Role(`${name}-execution`, { path: STACK_ROLE_PATH, assumeRolePolicy }, parent);
    new aws.iam.RolePolicyAttachment(`${name}-execution`, { role: executionRole.name, policyArn: TASK_EXECUTION_POLICY_ARN }, parent);
    if (args.secretParameterArns?.length) {
      // SecureStrings under AWS's own key for SSM need no kms:Decrypt (ECS Developer Guide, "Required IAM permissions for Amazon ECS secrets").
      new aws.iam.RolePolicy(
        `${name}-execution-secrets`,
        {
          role: executionRole.id,
          policy: pulumi.all(args.secretParameterArns).apply((arns) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Sid: "ReadTheAppSecrets", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: arns }],
            }),
          ),
        },
        parent,
      );
    }

    const taskRole = new aws.iam.Role(`${name}-task`, { path: STACK_ROLE_PATH, assumeRolePolicy }, parent);
    new aws.iam.RolePolicy(
      `${name}-task-dynamodb`,
      {
        role: taskRole.id,
        policy: pulumi.output(args.tableArn).apply((tableArn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: [...DYNAMODB_ACTIONS], Resource: tableArn }],
          }),
        ),
      },
      parent,
    );
    if (args.enableExecuteCommand) {
      new aws.iam.RolePolicy(
        `${name}-task-exec`,
        {
          role: taskRole.id,
          policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: EXEC_ACTIONS, Resource: "*" }] }),
        },
        parent,
      );
    }

    if (args.trafficShifting) {
      const loadBalancerRole = new aws.iam.Role(
        `${name}-ecs-traffic`,
        { path: STACK_ROLE_PATH, assumeRolePolicy: serviceTrustPolicy("ecs.amazonaws.com", account) },
        parent,
      );
      const attached = new aws.iam.RolePolicyAttachment(
        `${name}-ecs-traffic`,
        { role: loadBalancerRole.name, policyArn: LOAD_BALANCER_INFRASTRUCTURE_POLICY_ARN },
        parent,
      );
      // The service must not name the role before it can act.
      this.loadBalancerRoleArn = pulumi.all([loadBalancerRole.arn, attached.id]).apply(([arn]) => arn);
    }

    this.executionRoleArn = executionRole.arn;
    this.taskRoleArn = taskRole.arn;
    this.registerOutputs({ executionRoleArn: this.executionRoleArn, taskRoleArn: this.taskRoleArn });
  }
}
