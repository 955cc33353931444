import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ec2TrustPolicy, managedPolicyArn, policyDocument, toJson } from "../shared/iam-documents";
import { ebsKeyPolicy, serviceKeyPolicy } from "../shared/kms-policies";
import { CiSystem, RunnerKind, runnerTag, runnerUserData } from "./runner-user-data";

export const RUNNER_KINDS: readonly RunnerKind[] = ["deploy", "preview"];

/** Arguments of one environment's deploy runners. */
export interface DeployRunnersArgs {
    readonly region: string;
    readonly accountId: string;
    /** Environment whose network the runners live in. */
    readonly environment: string;
    readonly ci: CiSystem;
    /** CI server URL: the GitLab instance, or https://github.com. */
    readonly ciUrl: string;
    /** `group/project` or `owner/repo`. */
    readonly project: string;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets the runners launch in (no public address, egress through NAT). */
    readonly privateSubnetIds: readonly pulumi.Input<string>[];
    /** Tag key (ABAC) on the token secrets; their value names no namespace, so no workload can read them. @default "ekssecret" */
    readonly abacTagKey?: string;
    /** Graviton instance type. @default "t4g.small" */
    readonly instanceType?: string;
    /** @default 40 */
    readonly rootVolumeGiB?: number;
    /** @default "18.6.0" */
    readonly gitlabRunnerVersion?: string;
    /** @default "2.329.0" */
    readonly githubRunnerVersion?: string;
    /** @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the keys from deletion. @default true */
    readonly protect?: boolean;
}

/** Validates runner arguments; messages name the argument, the value and what is allowed. */
export function validateDeployRunnersArgs(args: Pick<DeployRunnersArgs, "privateSubnetIds" | "instanceType" | "project">): string[] {
    const problems: string[] = [];
    if (args.privateSubnetIds.length === 0) {
        problems.push("privateSubnetIds: empty; the runners need the environment's private subnets");
    }
    if (args.instanceType !== undefined && !/^[a-z][a-z0-9]*g[a-z0-9]*\.[a-z0-9]+$/.test(args.instanceType)) {
        problems.push(
            `instanceType: got ${JSON.stringify(args.instanceType)}; use a Graviton type such as t4g.small (the runners run arm64 images)`,
        );
    }
    if (!/^([\w.-]+\/)+[\w.-]+$/.test(args.project)) {
        problems.push(`project: got ${JSON.stringify(args.project)}; use group/project or owner/repo`);
    }
    return problems;
}

/** The runner instances' own policy: their token secret, nothing else (jobs bring their own credentials). */
export function runnerInstancePolicy(tokenSecretArn: string, tokenKeyArn: string, region: string) {
    return policyDocument(
        { Sid: "ReadOwnRegistrationToken", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: tokenSecretArn },
        {
            Sid: "DecryptTokenThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: tokenKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
        },
    );
}

/**
 * Deploy runners inside one environment's network: a `deploy` runner (to be registered protected:
 * it runs only jobs of protected branches, the only ones whose tokens the deploy roles trust) and a
 * `preview` runner (merge requests), each an Auto Scaling group of one Graviton instance in the
 * private subnets with its own security group (no inbound rules; the platform stack lets it reach
 * the cluster endpoint), IMDSv2 with hop limit 1, SSM for access, CMK-encrypted volumes, and a
 * Secrets Manager secret for its registration token. The instances hold no deploy permissions.
 */
export class DeployRunners extends pulumi.ComponentResource {
    /** Security group of each runner kind: the platform admits these to the cluster endpoint. */
    public readonly securityGroupIds: Record<RunnerKind, pulumi.Output<string>>;
    /** Secrets Manager secret names an administrator puts each runner's token into. */
    public readonly tokenSecretNames: Record<RunnerKind, pulumi.Output<string>>;
    /** CI tags/labels pipeline jobs select each runner with. */
    public readonly tags: Record<RunnerKind, string>;

    constructor(name: string, args: DeployRunnersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:foundation:DeployRunners", name, {}, opts);
        const problems = validateDeployRunnersArgs(args);
        if (problems.length > 0) {
            throw new Error(`DeployRunners ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const instanceType = args.instanceType ?? "t4g.small";
        const rootVolumeGiB = args.rootVolumeGiB ?? 40;
        const abacTagKey = args.abacTagKey ?? "ekssecret";
        const deletionWindowInDays = args.kmsDeletionWindowDays ?? 30;
        const keyOpts = { parent: this, protect: args.protect ?? true };

        const tokenKey = new aws.kms.Key(
            `${name}-tokens`,
            {
                description: `${args.environment} deploy runners: registration tokens`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(serviceKeyPolicy(args.accountId, args.region, "secretsmanager")),
            },
            keyOpts,
        );
        const volumeKey = new aws.kms.Key(
            `${name}-volumes`,
            {
                description: `${args.environment} deploy runners: instance volumes`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(ebsKeyPolicy(args.accountId, args.region)),
            },
            keyOpts,
        );
        const image = aws.ssm.getParameterOutput(
            { name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" },
            { parent: this },
        );

        const securityGroupIds = {} as Record<RunnerKind, pulumi.Output<string>>;
        const tokenSecretNames = {} as Record<RunnerKind, pulumi.Output<string>>;
        const tags = {} as Record<RunnerKind, string>;
        for (const kind of RUNNER_KINDS) {
            const id = `${name}-${kind}`;
            tags[kind] = runnerTag(args.environment, kind);
            const secret = new aws.secretsmanager.Secret(
                `${id}-token`,
                {
                    name: `ciplatform/runners/${args.environment}/${kind}`,
                    description: `Registration token of the ${args.environment} ${kind} runner: {"token": "..."} (see docs/empty-account.md)`,
                    kmsKeyId: tokenKey.arn,
                    recoveryWindowInDays: 7,
                    tags: { [abacTagKey]: "none" },
                },
                { parent: this },
            );
            tokenSecretNames[kind] = secret.name;

            const securityGroup = new aws.ec2.SecurityGroup(
                `${id}`,
                {
                    description: `${args.environment} ${kind} runner: no inbound; HTTPS out (CI server, AWS APIs, the cluster endpoint)`,
                    vpcId: args.vpcId,
                    egress: [{ description: "HTTPS", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
                },
                { parent: this },
            );
            securityGroupIds[kind] = securityGroup.id;

            const role = new aws.iam.Role(
                `${id}-instance`,
                {
                    description: `${args.environment} ${kind} runner instances: token and SSM only`,
                    assumeRolePolicy: toJson(ec2TrustPolicy()),
                },
                { parent: this },
            );
            new aws.iam.RolePolicyAttachment(
                `${id}-ssm`,
                { role: role.name, policyArn: managedPolicyArn("AmazonSSMManagedInstanceCore") },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${id}-token`,
                {
                    role: role.name,
                    policy: toJson(pulumi.all([secret.arn, tokenKey.arn]).apply(([s, k]) => runnerInstancePolicy(s, k, args.region))),
                },
                { parent: this },
            );
            const profile = new aws.iam.InstanceProfile(`${id}`, { role: role.name }, { parent: this });

            const userData = secret.arn.apply((tokenSecretArn) =>
                Buffer.from(
                    runnerUserData({
                        ci: args.ci,
                        ciUrl: args.ciUrl,
                        project: args.project,
                        environment: args.environment,
                        kind,
                        region: args.region,
                        tokenSecretArn,
                        gitlabRunnerVersion: args.gitlabRunnerVersion ?? "18.6.0",
                        githubRunnerVersion: args.githubRunnerVersion ?? "2.329.0",
                    }),
                ).toString("base64"),
            );
            const launchTemplate = new aws.ec2.LaunchTemplate(
                `${id}`,
                {
                    description: `${args.environment} ${kind} runner (AL2023 arm64, IMDSv2 hop 1, CMK volumes)`,
                    imageId: image.value,
                    instanceType,
                    iamInstanceProfile: { arn: profile.arn },
                    vpcSecurityGroupIds: [securityGroup.id],
                    userData,
                    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                    blockDeviceMappings: [
                        {
                            deviceName: "/dev/xvda",
                            ebs: {
                                volumeSize: rootVolumeGiB,
                                volumeType: "gp3",
                                encrypted: "true",
                                kmsKeyId: volumeKey.arn,
                                deleteOnTermination: "true",
                            },
                        },
                    ],
                    tagSpecifications: [
                        { resourceType: "instance", tags: { Name: `ciplatform-${args.environment}-${kind}-runner` } },
                        { resourceType: "volume", tags: { Name: `ciplatform-${args.environment}-${kind}-runner` } },
                    ],
                },
                { parent: this },
            );
            new aws.autoscaling.Group(
                `${id}`,
                {
                    minSize: 1,
                    maxSize: 1,
                    desiredCapacity: 1,
                    vpcZoneIdentifiers: [...args.privateSubnetIds],
                    launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                    healthCheckType: "EC2",
                    instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 0 } },
                    tags: [{ key: "Name", value: `ciplatform-${args.environment}-${kind}-runner`, propagateAtLaunch: true }],
                },
                { parent: this },
            );
        }
        this.securityGroupIds = securityGroupIds;
        this.tokenSecretNames = tokenSecretNames;
        this.tags = tags;
        this.registerOutputs({ securityGroupIds, tokenSecretNames, tags });
    }
}
