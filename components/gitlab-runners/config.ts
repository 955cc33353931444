/**
 * The GitLab Runner `config.toml` for the Kubernetes executor, generated with a TOML serialiser
 * from typed settings, and the chart values around it. Pure: tested without mocks.
 */
import { stringify } from "smol-toml";
import { Architecture, placementOn } from "../shared/interfaces";
import { Values } from "../shared/helm";

/** Tags each architecture's runner answers to (plus configured extras). */
export const ARCHITECTURE_TAGS: Record<Architecture, readonly string[]> = {
    arm64: ["arm64"],
    amd64: ["amd64", "x86", "x86-64", "x86_64"],
};

/** Helper image architecture names as GitLab publishes them. */
const HELPER_ARCH: Record<Architecture, string> = { arm64: "arm64", amd64: "x86_64" };

export function runnerTags(architecture: Architecture, extraTags: readonly string[] = []): string[] {
    return [...new Set([...ARCHITECTURE_TAGS[architecture], ...extraTags])];
}

/**
 * The runner version a gitlab-runner chart version ships (its `appVersion`). GitLab releases a runner
 * minor every month, twelve to a major (x.0 to x.11), and the chart's minor with it; a chart patch
 * release ships the runner patch of the same number (gitlab-org/charts/gitlab-runner: 0.65.0 is
 * v17.0.0, 0.68.1 is v17.3.1, 0.93.0 is v19.4.0). The helper image must be that exact version, so it
 * is derived from the chart, never set beside it.
 */
export function runnerVersionOfChart(chartVersion: string): string | undefined {
    const m = /^0\.(\d+)\.(\d+)$/.exec(chartVersion);
    if (!m || Number(m[1]) < 1) return undefined;
    const months = Number(m[1]) + CHART_MINOR_OFFSET;
    return `v${Math.floor(months / 12)}.${months % 12}.${m[2]}`;
}
/** Runner releases (major × 12 + minor) before chart minor 0: runner 17.3 (207) is chart 0.68. */
const CHART_MINOR_OFFSET = 17 * 12 + 3 - 68;

export function helperImage(architecture: Architecture, runnerVersion: string): string {
    return `registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:${HELPER_ARCH[architecture]}-${runnerVersion}`;
}

export interface JobResources {
    readonly cpuRequest: string;
    readonly cpuLimit: string;
    readonly memoryRequest: string;
    readonly memoryLimit: string;
}

export interface RunnerConfigInput {
    readonly architecture: Architecture;
    readonly namespace: string;
    readonly runnerVersion: string;
    /** Service account of job pods (no cloud permissions unless a job role is configured). */
    readonly jobServiceAccount: string;
    readonly resources: JobResources;
    readonly cache: { readonly bucket: string; readonly region: string; readonly kmsKeyArn: string };
}

/**
 * `config.toml` of one runner: jobs on CI nodes of its architecture, tolerating the CI taint. The
 * capacity type is left to the CI NodePool (Spot preferred, on-demand when Spot is short), so jobs
 * never wait for Spot.
 */
export function runnerConfigToml(input: RunnerConfigInput): string {
    const placement = placementOn("ci", input.architecture);
    // Pod Security "restricted" for every container the executor adds (init-permissions included),
    // and seccomp at pod level: `seccomp_profile` exists from runner 18.11 on.
    const restricted = { allow_privilege_escalation: false, run_as_non_root: true, capabilities: { drop: ["ALL"] } };
    return stringify({
        runners: [
            {
                executor: "kubernetes",
                kubernetes: {
                    namespace: input.namespace,
                    service_account: input.jobServiceAccount,
                    image: "public.ecr.aws/docker/library/alpine:3.20",
                    helper_image: helperImage(input.architecture, input.runnerVersion),
                    cpu_request: input.resources.cpuRequest,
                    cpu_limit: input.resources.cpuLimit,
                    memory_request: input.resources.memoryRequest,
                    memory_limit: input.resources.memoryLimit,
                    helper_cpu_request: "100m",
                    helper_memory_request: "128Mi",
                    helper_memory_limit: "512Mi",
                    poll_timeout: 600,
                    node_selector: placement.nodeSelector,
                    node_tolerations: Object.fromEntries(placement.tolerations.map((t) => [`${t.key}=${t.value}`, t.effect])),
                    // A job is never evicted to consolidate its node.
                    pod_annotations: { "karpenter.sh/do-not-disrupt": "true" },
                    allow_privilege_escalation: false,
                    cap_drop: ["ALL"],
                    pod_security_context: {
                        run_as_non_root: true,
                        run_as_user: 1000,
                        run_as_group: 1000,
                        fs_group: 1000,
                        seccomp_profile: { type: "RuntimeDefault" },
                    },
                    init_permissions_container_security_context: restricted,
                    build_container_security_context: restricted,
                    helper_container_security_context: restricted,
                    service_container_security_context: restricted,
                },
                cache: {
                    Type: "s3",
                    Shared: true,
                    // Caches hold architecture-specific binaries: one prefix per architecture.
                    Path: input.architecture,
                    s3: {
                        ServerAddress: `s3.${input.cache.region}.amazonaws.com`,
                        BucketName: input.cache.bucket,
                        BucketLocation: input.cache.region,
                        AuthenticationType: "iam",
                        ServerSideEncryption: "KMS",
                        ServerSideEncryptionKeyID: input.cache.kmsKeyArn,
                    },
                },
            },
        ],
    });
}

export interface RunnerValuesInput {
    readonly architecture: Architecture;
    readonly gitlabUrl: string;
    readonly concurrent: number;
    readonly checkInterval: number;
    /** Kubernetes Secret holding `runner-token` (synced from Secrets Manager). */
    readonly tokenSecretName: string;
    readonly managerServiceAccount: string;
    /** IRSA role of the manager (it signs the cache URLs jobs use). */
    readonly managerRoleArn: string;
    readonly configToml: string;
}

/** What the Kubernetes executor needs in its namespace, and nothing cluster-wide. */
export const EXECUTOR_RBAC_RULES = [
    { apiGroups: [""], resources: ["pods"], verbs: ["create", "delete", "get", "list", "watch"] },
    { apiGroups: [""], resources: ["pods/exec", "pods/attach"], verbs: ["create", "get", "patch", "delete"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
    { apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["create", "delete", "get", "update"] },
    { apiGroups: [""], resources: ["services"], verbs: ["create", "get"] },
    { apiGroups: [""], resources: ["events"], verbs: ["list", "watch"] },
];

/** Chart values: the token only by Secret reference, the manager on on-demand nodes of its architecture. */
export function buildRunnerValues(input: RunnerValuesInput): Values {
    const placement = placementOn("general", input.architecture, "on-demand");
    return {
        gitlabUrl: input.gitlabUrl,
        concurrent: input.concurrent,
        checkInterval: input.checkInterval,
        unregisterRunners: false,
        rbac: { create: true, clusterWideAccess: false, rules: EXECUTOR_RBAC_RULES },
        serviceAccount: {
            create: true,
            name: input.managerServiceAccount,
            annotations: { "eks.amazonaws.com/role-arn": input.managerRoleArn },
        },
        runners: { secret: input.tokenSecretName, config: input.configToml },
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        podSecurityContext: { runAsNonRoot: true, runAsUser: 100, fsGroup: 65533, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: false,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
        },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    };
}
