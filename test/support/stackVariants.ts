/**
 * Every stack and configuration variant the infra tests run under mocks. The deploy-readiness
 * checks run over all of them, so a variant added here is checked against AWS's constraints too.
 */
export interface StackVariant {
  /** How the test names it. */
  label: string;
  stack: string;
  overrides: Record<string, string>;
}

export const CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
export const DOMAIN = "boyacky.example.com";

export const STACK_VARIANTS: readonly StackVariant[] = [
  { label: "dev", stack: "dev", overrides: {} },
  { label: "prod", stack: "prod", overrides: {} },
  { label: "prod, no edge, with a certificate", stack: "prod", overrides: { edge: "none", waf: "false", certificateArn: CERTIFICATE } },
  { label: "dev, nat single", stack: "dev", overrides: { egressMode: "nat", natGateways: "single" } },
  { label: "dev, nat perAz", stack: "dev", overrides: { egressMode: "nat", natGateways: "perAz" } },
  { label: "dev, no edge", stack: "dev", overrides: { edge: "none" } },
  { label: "dev, no edge, with a certificate", stack: "dev", overrides: { edge: "none", certificateArn: CERTIFICATE } },
  { label: "dev with a domain", stack: "dev", overrides: { domainName: DOMAIN } },
  { label: "prod with a domain and its zone", stack: "prod", overrides: { domainName: DOMAIN, hostedZoneId: "Z0EXAMPLEZONE123" } },
  { label: "dev, no edge, with a domain", stack: "dev", overrides: { edge: "none", domainName: DOMAIN } },
  { label: "prod on spot", stack: "prod", overrides: { spot: "true", onDemandBase: "1" } },
  { label: "dev with ECS Exec", stack: "dev", overrides: { enableExecuteCommand: "true" } },
  { label: "dev, linear deployments", stack: "dev", overrides: { deployStrategy: "linear" } },
  {
    label: "dev, blue-green deployments, no edge, HTTPS",
    stack: "dev",
    overrides: { deployStrategy: "blue-green", edge: "none", certificateArn: CERTIFICATE },
  },
  { label: "prod with ECS Exec", stack: "prod", overrides: { enableExecuteCommand: "true" } },
];
