import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../shared/iam-documents";
import { logsKeyPolicy } from "../shared/kms-policies";
import { runnerLogGroupName, runnerServiceRolePolicy, runnerTrustPolicy } from "./policies";
import { CiSystem, CODEBUILD_MEMORY_GIB, MIN_JOB_MEMORY_GIB, RUNNER_KINDS, RunnerKind, runnerTag } from "./runner-labels";

export { CODEBUILD_MEMORY_GIB, MIN_JOB_MEMORY_GIB, RUNNER_KINDS } from "./runner-labels";

/** CodeBuild source type of the repository, by CI system (CodeBuild API reference, ProjectSource.type). */
function sourceType(ci: CiSystem, ciUrl: string): "GITHUB" | "GITLAB" | "GITLAB_SELF_MANAGED" {
    if (ci === "github") {
        return "GITHUB";
    }
    return ciUrl === "https://gitlab.com" ? "GITLAB" : "GITLAB_SELF_MANAGED";
}

/** Arguments of one environment's CodeBuild-hosted runners. */
export interface DeployRunnersArgs {
    readonly region: string;
    readonly accountId: string;
    /** Environment whose network the runners' builds run in. */
    readonly environment: string;
    readonly ci: CiSystem;
    /** CI server URL: the GitLab instance, or https://github.com. */
    readonly ciUrl: string;
    /** `group/project` or `owner/repo`. */
    readonly project: string;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets the builds run in (no public address, egress through NAT). */
    readonly privateSubnetIds: readonly pulumi.Input<string>[];
    /** ARN of the CodeConnections connection to the repository's host (created and authorized by an administrator). */
    readonly connectionArn: string;
    /** IAM name prefix of the builds' service roles (a foundation prefix the deploy roles cannot touch). */
    readonly roleNamePrefix: string;
    /** CodeBuild compute type. @default "BUILD_GENERAL1_MEDIUM" (7 GiB) */
    readonly computeType?: string;
    /** Build image carrying the AWS CLI and Node.js 22. @default "aws/codebuild/amazonlinux-x86_64-standard:5.0" */
    readonly image?: string;
    /** Longest job, minutes (a first platform `up` can take more than an hour). @default 180 */
    readonly buildTimeoutMinutes?: number;
    /** Retention of the build logs, days. @default 90 */
    readonly logRetentionDays?: number;
    /** @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the log key from deletion. @default true */
    readonly protect?: boolean;
}

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):([a-z0-9-]+):(\d{12}):connection\/[\w-]+$/;

/** Validates runner arguments; messages name the argument, the value and what is allowed. */
export function validateDeployRunnersArgs(
    args: Pick<DeployRunnersArgs, "privateSubnetIds" | "computeType" | "project" | "connectionArn" | "region" | "buildTimeoutMinutes">,
): string[] {
    const problems: string[] = [];
    if (args.privateSubnetIds.length === 0) {
        problems.push("privateSubnetIds: empty; the runners need the environment's private subnets");
    }
    if (args.computeType !== undefined) {
        const memory = CODEBUILD_MEMORY_GIB[args.computeType];
        if (memory === undefined || memory < MIN_JOB_MEMORY_GIB) {
            const allowed = Object.entries(CODEBUILD_MEMORY_GIB)
                .filter(([, gib]) => gib >= MIN_JOB_MEMORY_GIB)
                .map(([type, gib]) => `${type} (${gib} GiB)`);
            problems.push(
                `computeType: got ${JSON.stringify(args.computeType)}; a preview or up needs at least ${MIN_JOB_MEMORY_GIB} GiB: use ${allowed.join(", ")}`,
            );
        }
    }
    if (!/^([\w.-]+\/)+[\w.-]+$/.test(args.project)) {
        problems.push(`project: got ${JSON.stringify(args.project)}; use group/project or owner/repo`);
    }
    const connection = CONNECTION_ARN.exec(args.connectionArn);
    if (!connection) {
        problems.push(
            `connectionArn: got ${JSON.stringify(args.connectionArn)}; use the ARN of a CodeConnections connection (arn:aws:codeconnections:<region>:<account>:connection/<id>)`,
        );
    } else if (connection[2] !== args.region) {
        problems.push(`connectionArn: got a connection in ${connection[2]}; CodeBuild uses connections of its own region, ${args.region}`);
    }
    if (args.buildTimeoutMinutes !== undefined && (args.buildTimeoutMinutes < 60 || args.buildTimeoutMinutes > 480)) {
        problems.push(`buildTimeoutMinutes: got ${args.buildTimeoutMinutes}; use 60 to 480 (CodeBuild's limit)`);
    }
    return problems;
}

/**
 * One environment's runners, hosted by AWS CodeBuild: a `deploy` and a `preview` project, each
 * starting a fresh build (a new container, discarded after the job) for every queued CI job whose
 * label names it (webhook event WORKFLOW_JOB_QUEUED), inside the environment's private subnets with
 * its own security group (no inbound; HTTPS out). CodeBuild registers a runner for that one job
 * through the CodeConnections connection: no registration token exists on any host, and nothing is
 * installed at boot. Jobs assume the CI roles with their own OIDC tokens; the build role holds only
 * logs and the VPC's network interfaces.
 */
export class DeployRunners extends pulumi.ComponentResource {
    /** Security group of each runner kind: the platform admits these to the cluster endpoint. */
    public readonly securityGroupIds: Record<RunnerKind, pulumi.Output<string>>;
    /** CodeBuild project of each runner kind: the label pipeline jobs select it with. */
    public readonly tags: Record<RunnerKind, string>;

    constructor(name: string, args: DeployRunnersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:foundation:DeployRunners", name, {}, opts);
        const problems = validateDeployRunnersArgs(args);
        if (problems.length > 0) {
            throw new Error(`DeployRunners ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const computeType = args.computeType ?? "BUILD_GENERAL1_MEDIUM";
        const image = args.image ?? "aws/codebuild/amazonlinux-x86_64-standard:5.0";
        const buildTimeout = args.buildTimeoutMinutes ?? 180;
        const retentionInDays = args.logRetentionDays ?? 90;
        const deletionWindowInDays = args.kmsDeletionWindowDays ?? 30;
        const location = args.ci === "github" ? `https://github.com/${args.project}` : `${args.ciUrl.replace(/\/$/, "")}/${args.project}`;

        const logKey = new aws.kms.Key(
            `${name}-logs`,
            {
                description: `${args.environment} runners: build logs`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(logsKeyPolicy(args.accountId, args.region)),
            },
            { parent: this, protect: args.protect ?? true },
        );
        const subnetArns = pulumi
            .all([...args.privateSubnetIds])
            .apply((ids) => ids.map((id) => `arn:aws:ec2:${args.region}:${args.accountId}:subnet/${id}`));

        const securityGroupIds = {} as Record<RunnerKind, pulumi.Output<string>>;
        const tags = {} as Record<RunnerKind, string>;
        for (const kind of RUNNER_KINDS) {
            const id = `${name}-${kind}`;
            const project = runnerTag(args.environment, kind);
            tags[kind] = project;

            const securityGroup = new aws.ec2.SecurityGroup(
                id,
                {
                    description: `${args.environment} ${kind} runner builds: no inbound; HTTPS out (CI server, npm, Pulumi releases, AWS APIs, the cluster endpoint)`,
                    vpcId: args.vpcId,
                    egress: [{ description: "HTTPS", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
                },
                { parent: this },
            );
            securityGroupIds[kind] = securityGroup.id;

            const logGroup = new aws.cloudwatch.LogGroup(
                id,
                { name: runnerLogGroupName(project), retentionInDays, kmsKeyId: logKey.arn },
                { parent: this },
            );
            const role = new aws.iam.Role(
                `${id}-build`,
                {
                    name: `${args.roleNamePrefix}-${args.environment}-${kind}`,
                    description: `${project} builds: own logs and VPC interfaces only (jobs bring their own credentials)`,
                    assumeRolePolicy: toJson(runnerTrustPolicy(args.region, args.accountId, project)),
                },
                { parent: this },
            );
            const rolePolicy = new aws.iam.RolePolicy(
                `${id}-build`,
                {
                    role: role.name,
                    policy: toJson(
                        pulumi.all([subnetArns, securityGroup.arn]).apply(([arns, securityGroupArn]) =>
                            runnerServiceRolePolicy({
                                region: args.region,
                                accountId: args.accountId,
                                project,
                                connectionArn: args.connectionArn,
                                subnetArns: arns,
                                securityGroupArn,
                            }),
                        ),
                    ),
                },
                { parent: this },
            );
            const codebuildProject = new aws.codebuild.Project(
                id,
                {
                    name: project,
                    description: `Ephemeral ${kind} runner of ${args.environment} for ${args.project}: one fresh build per CI job`,
                    serviceRole: role.arn,
                    buildTimeout,
                    queuedTimeout: 60,
                    artifacts: { type: "NO_ARTIFACTS" },
                    source: {
                        type: sourceType(args.ci, args.ciUrl),
                        location,
                        auth: { type: "CODECONNECTIONS", resource: args.connectionArn },
                    },
                    environment: {
                        type: "LINUX_CONTAINER",
                        computeType,
                        image,
                        imagePullCredentialsType: "CODEBUILD",
                        // Jobs need no Docker daemon: no privileged mode, nothing root-equivalent.
                        privilegedMode: false,
                    },
                    vpcConfig: { vpcId: args.vpcId, subnets: [...args.privateSubnetIds], securityGroupIds: [securityGroup.id] },
                    logsConfig: { cloudwatchLogs: { groupName: logGroup.name, status: "ENABLED" }, s3Logs: { status: "DISABLED" } },
                },
                // The role's policy first: CodeBuild checks the VPC permissions when the project is created.
                { parent: this, dependsOn: [rolePolicy] },
            );
            new aws.codebuild.Webhook(
                id,
                {
                    projectName: codebuildProject.name,
                    buildType: "BUILD",
                    filterGroups: [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }],
                },
                { parent: this },
            );
        }
        this.securityGroupIds = securityGroupIds;
        this.tags = tags;
        this.registerOutputs({ securityGroupIds, tags });
    }
}
