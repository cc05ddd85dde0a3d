/**
 * Boyacky on AWS ECS Fargate. This file only reads the stack's configuration, composes the
 * components in infra/, and exports the outputs; every setting is declared in Pulumi.yaml.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AppImage } from "./infra/appImage";
import { AppSecrets } from "./infra/appSecrets";
import { loadStackConfig } from "./infra/config";
import { Data } from "./infra/data";
import { DeploymentAlarms } from "./infra/deploymentAlarms";
import { DomainCertificate, hostedZoneIdOf } from "./infra/domainCertificate";
import { Edge, VIEWER_PROTO_HEADER } from "./infra/edge";
import { ExportJob } from "./infra/exportJob";
import { LoadBalancer } from "./infra/loadBalancer";
import { Network } from "./infra/network";
import { loadConfig } from "./app/src/config";
import { appEnvironment } from "./app/src/contract";
import { DEFAULT_PROTO_HEADER } from "./app/src/http/clientIdentity";
import { Service } from "./infra/service";
import { TaskRoles } from "./infra/taskRoles";

const projectConfig = new pulumi.Config();
const config = loadStackConfig((key) => projectConfig.get(key), new pulumi.Config("aws").get("region"));
const name = `${pulumi.getProject()}-${pulumi.getStack()}`;
// Every resource is tagged with its app and stack by the provider itself (the destroy workflow
// and the review role's deny find resources by these tags).
const provider = new aws.Provider(name, {
  region: config.region as aws.Region,
  defaultTags: { tags: { app: pulumi.getProject(), stack: pulumi.getStack() } },
});
const stackProvider = { providers: [provider] };

const network = new Network(
  name,
  {
    region: config.region,
    cidrBlock: config.vpcCidr,
    egressMode: config.egressMode,
    natGateways: config.natGateways,
    enableExecuteCommand: config.enableExecuteCommand,
    exportJob: true,
    protectData: config.protectData,
  },
  stackProvider,
);

const image = new AppImage(name, { contextDir: "./app", keepImages: config.keepImages }, stackProvider);

const data = new Data(name, { protectData: config.protectData }, stackProvider);

// With a domain: viewers use it; behind the edge the ALB also gets `origin.<domain>`, so that
// CloudFront reaches it over HTTPS too. Without one, the edge's *.cloudfront.net name (or the ALB's).
const behindEdge = config.edge === "cloudfront";
const shiftsTraffic = config.deployment.strategy !== "rolling";
const zoneId = config.domainName ? hostedZoneIdOf(config.domainName, config.hostedZoneId) : undefined;
const albDomain =
  config.domainName && zoneId ? { name: behindEdge ? `origin.${config.domainName}` : config.domainName, zoneId } : undefined;
const albCertificate =
  albDomain && new DomainCertificate(`${name}-alb`, { domainName: albDomain.name, zoneId: albDomain.zoneId }, stackProvider);

const loadBalancer = new LoadBalancer(
  name,
  {
    vpcId: network.vpcId,
    vpcCidr: network.cidrBlock,
    exposure: behindEdge ? "cloudfront" : "internet",
    subnetIds: behindEdge ? network.privateSubnetIds : network.publicSubnetIds,
    certificateArn: albCertificate?.certificateArn ?? config.certificateArn,
    dnsRecord: albDomain,
    trafficShifting: shiftsTraffic,
    protectData: config.protectData,
    dependsOn: [network.internetGateway],
  },
  stackProvider,
);

const edge = behindEdge
  ? new Edge(
      name,
      {
        loadBalancerArn: loadBalancer.arn,
        originDomainName: albDomain?.name ?? loadBalancer.dnsName,
        originHttps: albDomain !== undefined,
        domain: config.domainName && zoneId ? { name: config.domainName, zoneId } : undefined,
        waf: config.waf ? { requestsPer5Minutes: config.wafRequestsPer5Minutes } : undefined,
        dependsOn: [network.internetGateway],
        protectData: config.protectData,
      },
      stackProvider,
    )
  : undefined;

const secrets = new AppSecrets(name, { stackName: name }, stackProvider);

const roles = new TaskRoles(
  name,
  {
    tableArn: data.tableArn,
    enableExecuteCommand: config.enableExecuteCommand,
    trafficShifting: shiftsTraffic,
    secretParameterArns: secrets.parameterArns,
  },
  stackProvider,
);

const alarms = new DeploymentAlarms(
  name,
  {
    loadBalancerArnSuffix: loadBalancer.arnSuffix,
    targetGroupArnSuffixes: loadBalancer.targetGroupArnSuffixes,
    thresholds: config.deployment.alarms,
  },
  stackProvider,
);

const service = new Service(
  name,
  {
    region: config.region,
    vpcId: network.vpcId,
    subnetIds: network.taskSubnetIds,
    assignPublicIp: network.assignPublicIp,
    loadBalancerSecurityGroupId: loadBalancer.securityGroupId,
    targetGroupArn: loadBalancer.targetGroupArn,
    requestCount: { loadBalancerArnSuffix: loadBalancer.arnSuffix, targetGroupArnSuffixes: loadBalancer.targetGroupArnSuffixes },
    dependsOn: [...loadBalancer.listeners, ...loadBalancer.listenerRules],
    deployment: config.deployment,
    alarmNames: alarms.alarmNames,
    trafficShifting:
      loadBalancer.trafficShifting && roles.loadBalancerRoleArn
        ? { ...loadBalancer.trafficShifting, roleArn: roles.loadBalancerRoleArn }
        : undefined,
    imageRef: image.imageRef,
    executionRoleArn: roles.executionRoleArn,
    taskRoleArn: roles.taskRoleArn,
    // The app's settings as the app itself reads them (app/src/contract.ts): its defaults, and what the stack decides.
    environment: pulumi.all([data.tableName, loadBalancer.proxyCidrs]).apply(([tableName, proxyCidrs]) => ({
      NODE_ENV: "production",
      ...appEnvironment({
        ...loadConfig({}),
        tableName,
        timeZone: config.timeZone,
        pageSize: config.pageSize,
        retentionDays: config.grumbleRetentionDays,
        region: config.region,
        // The client is the nearest X-Forwarded-For address none of the stack's proxies added,
        // however many entries it forged; behind CloudFront the viewer's protocol is CloudFront's header.
        trustedProxies: { kind: "cidrs", cidrs: proxyCidrs },
        forwardedProtoHeader: behindEdge ? VIEWER_PROTO_HEADER : DEFAULT_PROTO_HEADER,
      }),
    })),
    secrets: secrets.containerSecrets,
    size: { cpu: config.cpu, memory: config.memory },
    scaling: {
      desiredCount: config.desiredCount,
      minCount: config.minCount,
      maxCount: config.maxCount,
      cpuTargetPercent: config.cpuTargetPercent,
      requestsPerTarget: config.requestsPerTarget,
    },
    capacity: { spot: config.spot, onDemandBase: config.onDemandBase },
    logRetentionDays: config.logRetentionDays,
    enableExecuteCommand: config.enableExecuteCommand,
  },
  stackProvider,
);

const exportJob = new ExportJob(
  name,
  {
    region: config.region,
    clusterArn: service.clusterArn,
    vpcId: network.vpcId,
    subnetIds: network.taskSubnetIds,
    assignPublicIp: network.assignPublicIp,
    imageRef: image.imageRef,
    executionRoleArn: roles.executionRoleArn,
    tableName: data.tableName,
    tableArn: data.tableArn,
    timeZone: config.timeZone,
    schedule: config.exportSchedule,
    encoding: config.exportEncoding,
    expireDays: config.exportExpireDays,
    logRetentionDays: config.logRetentionDays,
    protectData: config.protectData,
  },
  stackProvider,
);

export const url = edge?.url ?? loadBalancer.url;
export const albDnsName = loadBalancer.dnsName;
export const albArn = loadBalancer.arn;
export const clusterName = service.clusterName;
export const serviceName = service.serviceName;
export const repositoryUrl = image.repositoryUrl;
export const imageRef = image.imageRef;
export const tableName = data.tableName;
export const logGroupName = service.logGroupName;
export const exportBucket = exportJob.bucketName;
export const exportRunTask = exportJob.runTaskCommand;
