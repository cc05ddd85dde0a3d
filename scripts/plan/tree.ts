/**
 * The resource tree: the stack, its components, and each component's resources (grouped by the
 * `parent` the program gave them), each with the properties a reviewer checks.
 */
import type { OfflineResource, OfflineStack } from "../offlineStack";
import { T } from "../resourceTypes";
import { DESCRIBERS, type Details, type DetailValue, References } from "./describers";

export interface TreeNode {
  type: string;
  name: string;
  details: Details;
  children: TreeNode[];
}

/** Display order of types inside a component; others follow alphabetically. */
const TYPE_ORDER = [
  T.vpc,
  T.subnet,
  T.internetGateway,
  T.natGateway,
  T.eip,
  T.routeTable,
  T.route,
  T.routeTableAssociation,
  T.vpcEndpoint,
  T.flowLog,
  T.defaultSecurityGroup,
  T.securityGroup,
  T.ingress,
  T.egress,
  T.loadBalancer,
  T.listener,
  T.targetGroup,
  T.bucket,
  T.bucketV2,
  T.bucketPolicy,
  T.bucketPublicAccessBlock,
  T.bucketOwnershipControls,
  T.bucketEncryption,
  T.bucketLifecycle,
  T.repository,
  T.lifecyclePolicy,
  T.image,
  T.table,
  T.role,
  T.rolePolicy,
  T.rolePolicyAttachment,
  T.cluster,
  T.capacityProviders,
  T.logGroup,
  T.taskDefinition,
  T.service,
  T.scalingTarget,
  T.scalingPolicy,
  T.listenerRule,
  T.metricAlarm,
  T.schedule,
  T.vpcOrigin,
  T.distribution,
  T.cachePolicy,
  T.webAcl,
  T.certificate,
  T.certificateValidation,
  T.record,
];

/** `aws:ec2/vpc:Vpc` -> `ec2.Vpc`; `docker:index/image:Image` -> `docker.Image`; components keep their type. */
export function shortType(type: string): string {
  const match = /^([\w-]+):([\w-]+)(?:\/[\w-]+)?:(\w+)$/.exec(type);
  if (!match || match[1] === "pulumi" || match[1] === "boyacky") return type;
  const [, pkg, module, name] = match;
  if (pkg === "aws") return `${module}.${name}`;
  return module === "index" ? `${pkg}.${name}` : `${pkg}.${module}.${name}`;
}

/** The reviewer-relevant properties of one resource: its type's describer's, and whether it is protected or retained. */
export function resourceDetails(resource: OfflineResource, stack: OfflineStack, refs = new References(stack)): Details {
  const details: Details = { ...DESCRIBERS[resource.type]?.(resource, { stack, refs }) };
  if (resource.options.protect) details.protect = true;
  if (resource.options.retainOnDelete && !("retainOnDelete" in details)) details.retainOnDelete = true;
  return details;
}

function order(node: { type: string; name: string }): [number, string, string] {
  const index = TYPE_ORDER.indexOf(node.type);
  const component = node.type.startsWith("boyacky:");
  return [component ? TYPE_ORDER.length + 1 : index < 0 ? TYPE_ORDER.length : index, node.type, node.name];
}

function sortNodes(nodes: TreeNode[]): TreeNode[] {
  nodes.sort((a, b) => {
    const [ia, ta, na] = order(a);
    const [ib, tb, nb] = order(b);
    return ia - ib || ta.localeCompare(tb) || na.localeCompare(nb);
  });
  for (const node of nodes) sortNodes(node.children);
  return nodes;
}

/** Stack -> components -> resources. Components keep the order the program created them in. */
export function buildTree(stack: OfflineStack): TreeNode {
  const stackResource = stack.resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
  const root: TreeNode = { type: "pulumi:pulumi:Stack", name: stackResource?.name ?? stack.stack, details: {}, children: [] };
  // Parents are recorded by type and name; by type alone only if the name is missing.
  const byTypeAndName = new Map<string, TreeNode>();
  const byType = new Map<string, TreeNode>();
  const refs = new References(stack);
  const nodes = stack.resources
    .filter((resource) => resource !== stackResource)
    .map((resource) => {
      const node: TreeNode = { type: resource.type, name: resource.name, details: resourceDetails(resource, stack, refs), children: [] };
      byTypeAndName.set(`${resource.type}::${resource.name}`, node);
      if (!byType.has(resource.type)) byType.set(resource.type, node);
      return { resource, node };
    });
  for (const { resource, node } of nodes) {
    const parent = resource.parent
      ? (byTypeAndName.get(`${resource.parent}::${resource.parentName}`) ?? byType.get(resource.parent) ?? root)
      : root;
    parent.children.push(node);
  }
  for (const component of root.children) sortNodes(component.children);
  return root;
}

function formatValue(value: DetailValue): string {
  return Array.isArray(value) ? (value.length ? value.join("; ") : "none") : String(value);
}

const INLINE_WIDTH = 140;

/** Box-drawing tree; a resource's details inline when short, one per line below it otherwise. */
export function renderTree(root: TreeNode): string {
  const lines: string[] = [];
  function label(node: TreeNode): string {
    return node.type.startsWith("pulumi:") || node.type.startsWith("boyacky:")
      ? `${node.type}  ${node.name}`
      : `${shortType(node.type)}  ${node.name}`;
  }
  function visit(node: TreeNode, prefix: string, childPrefix: string) {
    const entries = Object.entries(node.details).map(([key, value]) => `${key}: ${formatValue(value)}`);
    const inline = `${label(node)}${entries.length ? `  (${entries.join(", ")})` : ""}`;
    if ((prefix + inline).length <= INLINE_WIDTH || !entries.length) lines.push(prefix + inline);
    else {
      lines.push(prefix + label(node));
      const detailPrefix = childPrefix + (node.children.length ? "│    " : "     ");
      for (const entry of entries) lines.push(detailPrefix + entry);
    }
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      visit(child, childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "));
    });
  }
  visit(root, "", "");
  return lines.join("\n");
}

/** Every resource in the tree, depth first. */
export function flattenTree(root: TreeNode): TreeNode[] {
  return [root, ...root.children.flatMap(flattenTree)];
}
