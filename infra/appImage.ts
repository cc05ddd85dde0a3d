import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { hashBuildContext } from "./buildContextHash";

/** Fargate tasks are x86_64 here: an image built on an ARM laptop must still be amd64. */
export const IMAGE_PLATFORM = "linux/amd64";

export interface AppImageArgs {
  /** Folder with the Dockerfile and build context. Default `./app`. */
  contextDir?: string;
  /** Images kept in the repository; older ones are expired by a lifecycle rule (the stack's keepImages). */
  keepImages: number;
}

/**
 * The app's container image: an ECR repository (scan on push, immutable tags, lifecycle policy)
 * and the image built from the app's Dockerfile for linux/amd64, tagged by a hash of its build
 * context and pushed with an ECR token. Deploy by `imageRef` (a digest), never by tag.
 */
export class AppImage extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly repositoryArn: pulumi.Output<string>;
  /** `repository@sha256:...`: what the task definition runs. */
  readonly imageRef: pulumi.Output<string>;
  /** The content-hash tag the image was pushed with. */
  readonly tag: string;

  constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boyacky:infra:AppImage", name, {}, opts);
    const contextDir = args.contextDir ?? "./app";
    const parent = { parent: this };

    const repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        // Images are rebuilt from git, so `pulumi destroy` removes the repository with them, in prod too.
        forceDelete: true,
      },
      parent,
    );

    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `keep the last ${args.keepImages} images`,
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepImages },
              action: { type: "expire" },
            },
          ],
        }),
      },
      parent,
    );

    const credentials = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, parent);
    const build = {
      context: contextDir,
      dockerfile: `${contextDir}/Dockerfile`,
      platform: IMAGE_PLATFORM,
      builderVersion: "BuilderBuildKit",
    } as const;
    this.tag = hashBuildContext(contextDir, {
      dockerfile: build.dockerfile,
      settings: { platform: build.platform, builderVersion: build.builderVersion },
    });
    const image = new docker.Image(
      `${name}-image`,
      {
        imageName: pulumi.interpolate`${repository.repositoryUrl}:${this.tag}`,
        build,
        registry: {
          server: repository.repositoryUrl,
          username: credentials.userName,
          password: pulumi.secret(credentials.password),
        },
      },
      parent,
    );

    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryArn = repository.arn;
    this.imageRef = image.repoDigest;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageRef: this.imageRef });
  }
}
