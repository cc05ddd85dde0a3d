import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EgressMode, NatGatewayLayout } from "./config";
import { PrivateBucket } from "./privateBucket";

export interface NetworkArgs {
  /** Region, for the VPC endpoints' service names. */
  region: string;
  /** IPv4 range of the VPC, /16 to /20; subnets are /24s carved from it (the stack's vpcCidr). */
  cidrBlock: string;
  /** How tasks reach AWS APIs; see EgressMode. */
  egressMode: EgressMode;
  /** With egressMode `nat`: one NAT gateway, or one per AZ for AZ independence. */
  natGateways: NatGatewayLayout;
  /** Days the VPC flow logs are kept. Default PrivateBucket's (30). */
  flowLogExpireDays?: number;
  /** Keep the flow-log bucket on `pulumi destroy` (prod); false: it is emptied and removed. */
  protectData: boolean;
  /** Also create the `ssmmessages` interface endpoint ECS Exec needs, with egressMode `endpoints`. Default false. */
  enableExecuteCommand?: boolean;
  /** Also create the `comprehend` interface endpoint the export job needs, with egressMode `endpoints` (S3's gateway endpoint is always there). Default false. */
  exportJob?: boolean;
}

/**
 * Zones where CloudFront VPC origins are not available (CloudFront Developer Guide, "Restrict
 * access with VPC origins", supported Regions): never picked, so the internal ALB behind the edge
 * can always be an origin. They are legacy zones, so nothing else is lost.
 */
export const VPC_ORIGIN_UNSUPPORTED_ZONE_IDS = ["use1-az3", "usw1-az2", "apne1-az3", "cac1-az3"] as const;

/** Number of AZs spanned: the ALB needs two, and two is the cheapest highly available layout. */
export const AZ_COUNT = 2;

/** The n-th /24 inside a VPC range (n = 0 is the range's first /24). */
export function subnetCidr(vpcCidr: string, n: number): string {
  const [address] = vpcCidr.split("/");
  const octets = address.split(".").map(Number);
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8)) >>> 0;
  const start = base + n * 256;
  return `${start >>> 24}.${(start >>> 16) & 255}.${(start >>> 8) & 255}.0/24`;
}

/**
 * Interface endpoints the tasks need when they have no route to the internet: the image, the
 * logs, and SSM, from which ECS reads the app's secrets at start.
 */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "ssm"] as const;
/**
 * ECS Exec's agent talks to Session Manager through this one (ECS developer guide, "Monitor
 * Amazon ECS containers with ECS Exec": tasks in private subnets without internet need the
 * ssmmessages interface endpoint).
 */
export const EXEC_ENDPOINT_SERVICE = "ssmmessages";
/** The export job scores sentiment with Amazon Comprehend. */
export const EXPORT_ENDPOINT_SERVICE = "comprehend";
/** Gateway endpoints (free): DynamoDB for the app, S3 for ECR's image layers. */
export const GATEWAY_ENDPOINT_SERVICES = ["dynamodb", "s3"] as const;

/**
 * VPC over two AZs with a public and a private subnet in each, an internet gateway, route tables
 * and what the egress mode needs (VPC endpoints or NAT gateways). The default security group is
 * taken over with no rules, so nothing can use it by accident, and every flow (accepted and
 * rejected) is logged to an S3 bucket.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidrBlock: string;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** Where the service's tasks run: public subnets in `public` mode, private ones otherwise. */
  readonly taskSubnetIds: pulumi.Output<string>[];
  /** Whether tasks need a public IP to reach AWS APIs (only in `public` mode). */
  readonly assignPublicIp: boolean;
  /** What an internet-facing load balancer must wait for: AWS refuses one in a VPC without an internet gateway. */
  readonly internetGateway: aws.ec2.InternetGateway;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:Network", name, {}, opts);
    const { cidrBlock, egressMode } = args;
    const parent = { parent: this };

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock,
        enableDnsHostnames: true, // interface endpoints' private DNS needs both
        enableDnsSupport: true,
        tags: { Name: `${name}-vpc` },
      },
      parent,
    );

    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: `${name}-default-unused` } }, parent);

    // Flow logs go to S3 rather than CloudWatch Logs: S3 delivery of these vended logs costs half the
    // CloudWatch ingestion price per GB (first tier: $0.38 vs $0.76 in Tokyo, $0.25 vs $0.50 in
    // us-east-1), S3 storage is cheaper too, and S3 delivery is authorized by the bucket policy
    // alone, so there is no IAM role to keep narrow. Flow logs are for investigations, rarely read: Athena queries
    // the bucket when needed. ALL rather than only REJECT: the volume of this small app is tiny, and
    // accepted flows are what an investigation needs.
    const flowLogs = new PrivateBucket(
      `${name}-flow-logs`,
      {
        delivery: ({ arn, accountId, region }) => {
          const service = { Service: "delivery.logs.amazonaws.com" };
          const fromThisAccount = { "aws:SourceAccount": accountId };
          const fromFlowLogs = { ArnLike: { "aws:SourceArn": `arn:aws:logs:${region}:${accountId}:*` } };
          return [
            {
              Sid: "FlowLogDeliveryWrite",
              Effect: "Allow",
              Principal: service,
              Action: "s3:PutObject",
              Resource: `${arn}/AWSLogs/${accountId}/*`,
              Condition: { StringEquals: { ...fromThisAccount, "s3:x-amz-acl": "bucket-owner-full-control" }, ...fromFlowLogs },
            },
            {
              Sid: "FlowLogDeliveryAclCheck",
              Effect: "Allow",
              Principal: service,
              Action: "s3:GetBucketAcl",
              Resource: arn,
              Condition: { StringEquals: fromThisAccount, ...fromFlowLogs },
            },
          ];
        },
        expireDays: args.flowLogExpireDays,
        protectData: args.protectData,
      },
      parent,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId: vpc.id,
        trafficType: "ALL",
        logDestinationType: "s3",
        logDestination: flowLogs.arn,
        maxAggregationInterval: 600,
        tags: { Name: `${name}-flow-log` },
      },
      { parent: this, dependsOn: [flowLogs.policy] },
    ); // otherwise AWS would write a bucket policy of its own

    const internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${name}-igw` } }, parent);
    const zones = aws.getAvailabilityZonesOutput({ state: "available", excludeZoneIds: [...VPC_ORIGIN_UNSUPPORTED_ZONE_IDS] }, parent);

    const publicRouteTable = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: { Name: `${name}-public` } }, parent);
    new aws.ec2.Route(
      `${name}-public-default`,
      { routeTableId: publicRouteTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id },
      parent,
    );

    const publicSubnets: aws.ec2.Subnet[] = [];
    const privateSubnets: aws.ec2.Subnet[] = [];
    const privateRouteTables: aws.ec2.RouteTable[] = [];
    for (let az = 0; az < AZ_COUNT; az++) {
      const availabilityZone = zones.names.apply((names) => names[az]);
      const publicSubnet = new aws.ec2.Subnet(
        `${name}-public-${az}`,
        {
          vpcId: vpc.id,
          availabilityZone,
          cidrBlock: subnetCidr(cidrBlock, az),
          // Nothing gets a public IP unless it asks: the ALB's nodes do; tasks only in `public` mode.
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-public-${az}`, tier: "public" },
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${az}`, { subnetId: publicSubnet.id, routeTableId: publicRouteTable.id }, parent);

      const privateSubnet = new aws.ec2.Subnet(
        `${name}-private-${az}`,
        {
          vpcId: vpc.id,
          availabilityZone,
          cidrBlock: subnetCidr(cidrBlock, AZ_COUNT + az),
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-private-${az}`, tier: "private" },
        },
        parent,
      );
      const privateRouteTable = new aws.ec2.RouteTable(
        `${name}-private-${az}`,
        { vpcId: vpc.id, tags: { Name: `${name}-private-${az}` } },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${az}`,
        { subnetId: privateSubnet.id, routeTableId: privateRouteTable.id },
        parent,
      );

      publicSubnets.push(publicSubnet);
      privateSubnets.push(privateSubnet);
      privateRouteTables.push(privateRouteTable);
    }

    if (egressMode === "nat") {
      const natCount = args.natGateways === "perAz" ? AZ_COUNT : 1;
      const natGateways = publicSubnets.slice(0, natCount).map((subnet, az) => {
        const eip = new aws.ec2.Eip(`${name}-nat-${az}`, { domain: "vpc", tags: { Name: `${name}-nat-${az}` } }, parent);
        return new aws.ec2.NatGateway(
          `${name}-nat-${az}`,
          { subnetId: subnet.id, allocationId: eip.id, tags: { Name: `${name}-nat-${az}` } },
          { parent: this, dependsOn: [internetGateway] },
        );
      });
      privateRouteTables.forEach((table, az) => {
        new aws.ec2.Route(
          `${name}-private-${az}-default`,
          { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: natGateways[az % natCount].id },
          parent,
        );
      });
    }

    if (egressMode === "endpoints") {
      for (const service of GATEWAY_ENDPOINT_SERVICES) {
        new aws.ec2.VpcEndpoint(
          `${name}-${service}`,
          {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${args.region}.${service}`,
            vpcEndpointType: "Gateway",
            routeTableIds: privateRouteTables.map((table) => table.id),
            tags: { Name: `${name}-${service}` },
          },
          parent,
        );
      }
      const endpointSecurityGroup = new aws.ec2.SecurityGroup(
        `${name}-endpoints`,
        {
          vpcId: vpc.id,
          description: "VPC interface endpoints: HTTPS from inside the VPC only",
          tags: { Name: `${name}-endpoints` },
        },
        parent,
      );
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-endpoints-https`,
        {
          securityGroupId: endpointSecurityGroup.id,
          description: "HTTPS from the VPC",
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: cidrBlock,
        },
        parent,
      );
      const interfaceServices = [
        ...INTERFACE_ENDPOINT_SERVICES,
        ...(args.enableExecuteCommand ? [EXEC_ENDPOINT_SERVICE] : []),
        ...(args.exportJob ? [EXPORT_ENDPOINT_SERVICE] : []),
      ];
      for (const service of interfaceServices) {
        new aws.ec2.VpcEndpoint(
          `${name}-${service.replace(".", "-")}`,
          {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${args.region}.${service}`,
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            subnetIds: privateSubnets.map((subnet) => subnet.id),
            securityGroupIds: [endpointSecurityGroup.id],
            tags: { Name: `${name}-${service}` },
          },
          parent,
        );
      }
    }

    this.internetGateway = internetGateway;
    this.vpcId = vpc.id;
    this.cidrBlock = cidrBlock;
    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
    this.assignPublicIp = egressMode === "public";
    this.taskSubnetIds = this.assignPublicIp ? this.publicSubnetIds : this.privateSubnetIds;
    this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
  }
}
