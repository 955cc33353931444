import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ARCHITECTURES, Architecture, ClusterHandle, SecretsCatalog } from "../shared/interfaces";
import { EncryptedBucket } from "../shared/encrypted-bucket";
import { mergeValues, releaseArgs, Values } from "../shared/helm";
import { irsaTrustPolicy, policyDocument, toJson } from "../shared/iam-documents";
import { cachePermissions } from "./policies";
import { buildRunnerValues, JobResources, runnerConfigToml, runnerTags, runnerVersionOfChart } from "./config";
import { platformNamespace } from "../shared/namespace";
import { runnerSupportsSeccomp } from "./versions";

export { runnerSupportsSeccomp };

export const GITLAB_RUNNER_CHART = { chart: "gitlab-runner", repository: "https://charts.gitlab.io" } as const;

const MANAGER_SERVICE_ACCOUNT = "gitlab-runner";
/** The service account of every runner's job pods (the CI job role trusts it through IRSA). */
export const JOB_SERVICE_ACCOUNT = "gitlab-runner-jobs";

/** The namespace of a runner's manager and job pods: `<component name>-<architecture>`. */
export function runnerNamespace(componentName: string, architecture: Architecture): string {
    return `${componentName}-${architecture}`;
}

/** Arguments of the GitLab runners. */
export interface GitlabRunnersArgs {
    readonly cluster: ClusterHandle;
    /** Where each runner's token comes from (External Secrets, ABAC-tagged for its namespace). */
    readonly secrets: SecretsCatalog;
    readonly region: string;
    readonly accountId: string;
    /** One runner per architecture. @default ["arm64", "amd64"] */
    readonly architectures?: readonly Architecture[];
    /** @default "https://gitlab.com" */
    readonly gitlabUrl?: string;
    /** Name of each runner's token secret (Kubernetes Secret and Secrets Manager suffix). */
    readonly tokenSecretName: string;
    /** Exact gitlab-runner chart version; its runner (and helper image) version is derived from it (0.88.0+: runner 18.11+, seccomp for job pods). */
    readonly chartVersion: string;
    /** @default 10 */
    readonly concurrent?: number;
    /** @default 3 */
    readonly checkInterval?: number;
    /** Tags besides the architecture's own. @default [] */
    readonly extraTags?: readonly string[];
    /** @default - 500m/2 CPU, 1Gi/4Gi memory */
    readonly jobResources?: JobResources;
    /** Days before cache objects expire. @default 14 */
    readonly cacheExpiryDays?: number;
    /** IAM role job pods may use; none means jobs have no cloud permissions. @default - none */
    readonly jobRoleArn?: pulumi.Input<string>;
    /** @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the cache key. @default true */
    readonly protect?: boolean;
    /** Helm values merged last into every runner. @default {} */
    readonly values?: Values;
}

/** Validates runner arguments; messages name the argument, the value and what is allowed. */

export function validateGitlabRunnersArgs(
    args: Pick<GitlabRunnersArgs, "architectures" | "tokenSecretName" | "gitlabUrl"> & { readonly chartVersion?: string },
): string[] {
    const problems: string[] = [];
    const architectures = args.architectures ?? ["arm64", "amd64"];
    if (architectures.length === 0) {
        problems.push("architectures: empty; name at least one of " + ARCHITECTURES.join(", "));
    }
    for (const arch of architectures) {
        if (!(ARCHITECTURES as readonly string[]).includes(arch)) {
            problems.push(`architectures: got ${JSON.stringify(arch)}; allowed: ${ARCHITECTURES.join(", ")}`);
        }
    }
    if (!args.tokenSecretName) {
        problems.push("tokenSecretName: not set; name the secret that holds each runner's authentication token (glrt-...)");
    }
    if (args.chartVersion !== undefined) {
        const runnerVersion = runnerVersionOfChart(args.chartVersion);
        if (runnerVersion === undefined) {
            problems.push(
                `chartVersion: got ${JSON.stringify(args.chartVersion)}; use an exact gitlab-runner chart version such as 0.93.0`,
            );
        } else if (!runnerSupportsSeccomp(runnerVersion)) {
            problems.push(
                `chartVersion: got ${JSON.stringify(args.chartVersion)} (runner ${runnerVersion}); use 0.88.0 or later, whose runner (v18.11.0+) can give job pods a seccomp profile (Pod Security "restricted")`,
            );
        }
    }
    if (args.gitlabUrl !== undefined && !/^https:\/\//.test(args.gitlabUrl)) {
        problems.push(`gitlabUrl: got ${JSON.stringify(args.gitlabUrl)}; must be an https:// URL`);
    }
    return problems;
}

/**
 * One GitLab runner per CPU architecture (Kubernetes executor): each in its own restricted
 * namespace, its manager on on-demand nodes of its architecture, its jobs on CI nodes (Spot preferred) of the
 * same architecture, its token only ever in Secrets Manager and a synced Kubernetes Secret, and a
 * shared encrypted S3 cache reachable only through the managers' role.
 */
export class GitlabRunners extends pulumi.ComponentResource {
    /** Cache bucket name. */
    public readonly cacheBucket: pulumi.Output<string>;
    /** Runner namespaces by architecture. */
    public readonly namespaces: Record<string, string>;
    /** Tags to give each runner when creating it in GitLab, by architecture. */
    public readonly tags: Record<string, string[]>;
    /** Secrets Manager secret to put each runner's token in, by architecture. */
    public readonly tokenSecretNames: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: GitlabRunnersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:ci:GitlabRunners", name, {}, opts);
        const problems = validateGitlabRunnersArgs(args);
        if (problems.length > 0) {
            throw new Error(`GitlabRunners ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once. The helper image's version is the chart's runner (validated above).
        const runnerVersion = runnerVersionOfChart(args.chartVersion) ?? args.chartVersion;
        const architectures = args.architectures ?? ["arm64", "amd64"];
        const gitlabUrl = args.gitlabUrl ?? "https://gitlab.com";
        const resources = args.jobResources ?? { cpuRequest: "500m", cpuLimit: "2", memoryRequest: "1Gi", memoryLimit: "4Gi" };
        const k8sOpts = { parent: this, provider: args.cluster.provider };

        const cache = new EncryptedBucket(
            `${name}-cache`,
            {
                region: args.region,
                accountId: args.accountId,
                purpose: `${name} CI cache`,
                versioning: false,
                expirationDays: args.cacheExpiryDays ?? 14,
                kmsDeletionWindowDays: args.kmsDeletionWindowDays,
                protect: args.protect,
            },
            { parent: this },
        );

        this.namespaces = Object.fromEntries(architectures.map((arch) => [arch, runnerNamespace(name, arch)]));
        const cacheRole = new aws.iam.Role(
            `${name}-cache`,
            {
                description: "GitLab runner managers (IRSA): the CI cache bucket only",
                assumeRolePolicy: toJson(
                    pulumi
                        .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
                        .apply(([arn, issuer]) =>
                            policyDocument(
                                ...architectures.flatMap(
                                    (arch) => irsaTrustPolicy(arn, issuer, this.namespaces[arch], MANAGER_SERVICE_ACCOUNT).Statement,
                                ),
                            ),
                        ),
                ),
            },
            { parent: this },
        );
        const cachePolicy = new aws.iam.RolePolicy(
            `${name}-cache`,
            {
                role: cacheRole.name,
                policy: toJson(
                    pulumi
                        .all([cache.arn, cache.kmsKeyArn])
                        .apply(([bucketArn, keyArn]) => cachePermissions(bucketArn, keyArn, args.region)),
                ),
            },
            { parent: this },
        );

        this.tags = {};
        this.tokenSecretNames = {};
        for (const arch of architectures) {
            const namespaceName = this.namespaces[arch];
            const namespace = platformNamespace(`${name}-${arch}`, namespaceName, "restricted", true, k8sOpts);
            const token = args.secrets.namespacedSecret(
                `${name}-${arch}-token`,
                {
                    namespace: namespaceName,
                    kubernetesSecretName: args.tokenSecretName,
                    description: `GitLab runner authentication token (glrt-...) of the ${arch} runner: JSON {"token": "glrt-...", "registration": ""}`,
                    keys: { "runner-token": "token", "runner-registration-token": "registration" },
                },
                { parent: this, dependsOn: [namespace] },
            );
            new k8s.core.v1.ServiceAccount(
                `${name}-${arch}-jobs`,
                {
                    metadata: {
                        name: JOB_SERVICE_ACCOUNT,
                        namespace: namespace.metadata.name,
                        annotations: args.jobRoleArn ? { "eks.amazonaws.com/role-arn": args.jobRoleArn } : {},
                    },
                    automountServiceAccountToken: args.jobRoleArn ? undefined : false,
                },
                k8sOpts,
            );
            const configToml = pulumi.all([cache.bucket, cache.kmsKeyArn]).apply(([bucket, kmsKeyArn]) =>
                runnerConfigToml({
                    architecture: arch,
                    namespace: namespaceName,
                    runnerVersion,
                    jobServiceAccount: JOB_SERVICE_ACCOUNT,
                    resources,
                    cache: { bucket, region: args.region, kmsKeyArn },
                }),
            );
            const values = pulumi.all([cacheRole.arn, configToml]).apply(([managerRoleArn, toml]) =>
                mergeValues(
                    buildRunnerValues({
                        architecture: arch,
                        gitlabUrl,
                        concurrent: args.concurrent ?? 10,
                        checkInterval: args.checkInterval ?? 3,
                        tokenSecretName: token.kubernetesSecretName,
                        managerServiceAccount: MANAGER_SERVICE_ACCOUNT,
                        managerRoleArn,
                        configToml: toml,
                    }),
                    args.values,
                ),
            );
            // The token is put into Secrets Manager after the first deploy, so the manager cannot be
            // ready then: the release does not wait for it (and so never times out and rolls back);
            // the pod starts once External Secrets has synced the token.
            new k8s.helm.v3.Release(
                `${name}-${arch}`,
                releaseArgs({ ...GITLAB_RUNNER_CHART, version: args.chartVersion }, namespace.metadata.name, values, {
                    atomic: false,
                    skipAwait: true,
                }),
                { ...k8sOpts, dependsOn: [cachePolicy, namespace, ...(token.externalSecret ? [token.externalSecret] : [])] },
            );
            this.tags[arch] = runnerTags(arch, args.extraTags);
            this.tokenSecretNames[arch] = token.secretName;
        }

        this.cacheBucket = cache.bucket;
        this.registerOutputs({
            cacheBucket: this.cacheBucket,
            namespaces: this.namespaces,
            tags: this.tags,
            tokenSecretNames: this.tokenSecretNames,
        });
    }
}
