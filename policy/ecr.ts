/** ECR repositories (FSBP ECR.1, .2, .3). */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Guardrail, refersTo, reportOn, resourcesOf } from "./support";

export const ecrPolicies: Guardrail[] = [
  {
    name: "ecr-scan-on-push",
    controls: ["ECR.1"],
    description: "ECR private repositories should have image scanning configured.",
    remediationSteps: "Set imageScanningConfiguration: { scanOnPush: true }.",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _args, reportViolation) => {
      if (repository.imageScanningConfiguration?.scanOnPush !== true) reportViolation("images are not scanned on push.");
    }),
  },
  {
    name: "ecr-immutable-tags",
    controls: ["ECR.2"],
    description: "ECR private repositories should have tag immutability configured.",
    remediationSteps: "Set imageTagMutability: IMMUTABLE.",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _args, reportViolation) => {
      if (repository.imageTagMutability !== "IMMUTABLE")
        reportViolation(`imageTagMutability is ${repository.imageTagMutability ?? "MUTABLE (the default)"}: a pushed tag can be replaced.`);
    }),
  },
  {
    name: "ecr-lifecycle-policy",
    controls: ["ECR.3"],
    description: "ECR repositories should have at least one lifecycle policy configured.",
    remediationSteps: "Add an aws.ecr.LifecyclePolicy for the repository (AppImage keeps the last keepImages images).",
    validateStack: (args, reportViolation) => {
      const lifecyclePolicies = resourcesOf(args, aws.ecr.LifecyclePolicy);
      for (const repository of resourcesOf(args, aws.ecr.Repository)) {
        if (!lifecyclePolicies.some((policy) => refersTo(policy, "repository", repository))) {
          reportOn(reportViolation, repository)(`repository ${repository.name} has no lifecycle policy: old images pile up.`);
        }
      }
    },
  },
];
