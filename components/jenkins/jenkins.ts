import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Architecture, ClusterHandle, SecretsCatalog } from "../shared/interfaces";
import { mergeValues, releaseArgs, Values } from "../shared/helm";
import { irsaTrustPolicy, policyDocument, PolicyDocument, toJson } from "../shared/iam-documents";
import { buildJenkinsValues } from "./values";
import { platformNamespace } from "../shared/namespace";

export const JENKINS_CHART = { chart: "jenkins", repository: "https://charts.jenkins.io" } as const;
export const NAMESPACE = "jenkins";
/** The claim the chart creates for the home (fullnameOverride `jenkins`). */
export const HOME_CLAIM = "jenkins";

/** Arguments of Jenkins. */
export interface JenkinsArgs {
    readonly cluster: ClusterHandle;
    readonly secrets: SecretsCatalog;
    readonly chartVersion: string;
    readonly hostname: string;
    /** ACM certificate for `hostname`, issued by the platform's private CA; the load balancer presents it. */
    readonly certificateArn: pulumi.Input<string>;
    /** IngressClass of the ingress controller that exposes Jenkins. @default "alb" */
    readonly ingressClassName?: string;
    /** The ingress controller (its release), so the Ingress is reconciled once it runs. @default [] */
    readonly ingressReady?: pulumi.Resource[];
    /** Replicated StorageClass of the home volume. */
    readonly storageClass: string;
    /** VolumeSnapshotClass that ships snapshots to S3. */
    readonly snapshotClass: string;
    /** Resources that must exist before snapshots are taken. @default [] */
    readonly storageReady?: pulumi.Resource[];
    /** Nodes and storage the controller's pod needs (Karpenter's NodePools, an available LINSTOR): the atomic release waits for them. @default [] */
    readonly capacity?: readonly pulumi.Resource[];
    /** @default 50 */
    readonly homeSizeGiB?: number;
    /** @default ["arm64", "amd64"] */
    readonly architectures?: readonly Architecture[];
    /** Roles the controller may assume (cross-account deploys). @default [] */
    readonly deployRoleArns?: readonly string[];
    /** Cron schedule of home snapshots. @default "0 *\/6 * * *" */
    readonly snapshotSchedule?: string;
    /** Explicit opt-in to delete the home claim with the release. @default false */
    readonly deleteDataOnDestroy?: boolean;
    /** Protect the release. @default true */
    readonly protect?: boolean;
    /** Helm values merged last. @default {} */
    readonly values?: Values;
}

export function validateJenkinsArgs(args: Pick<JenkinsArgs, "hostname" | "deployRoleArns" | "snapshotSchedule">): string[] {
    const problems: string[] = [];
    if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/.test(args.hostname)) {
        problems.push(`hostname: got ${JSON.stringify(args.hostname)}; use a DNS name such as jenkins.ci.example.com`);
    }
    for (const arn of args.deployRoleArns ?? []) {
        if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn) || arn.includes("*")) {
            problems.push(`deployRoleArns: got ${JSON.stringify(arn)}; list exact role ARNs (no wildcards)`);
        }
    }
    if (args.snapshotSchedule !== undefined && !/^(\S+\s+){4}\S+$/.test(args.snapshotSchedule)) {
        problems.push(`snapshotSchedule: got ${JSON.stringify(args.snapshotSchedule)}; use a cron expression such as "0 */6 * * *"`);
    }
    return problems;
}

/** The controller may assume the listed deploy roles, and nothing else. */
export function controllerPermissions(deployRoleArns: readonly string[]): PolicyDocument {
    return policyDocument({ Sid: "AssumeDeployRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: [...deployRoleArns] });
}

/** The VolumeSnapshot the schedule creates (a generated name per run). */
export function homeSnapshotManifest(snapshotClass: string): string {
    return JSON.stringify({
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshot",
        metadata: { generateName: "jenkins-home-", namespace: NAMESPACE, labels: { "app.kubernetes.io/part-of": "jenkins-dr" } },
        spec: { volumeSnapshotClassName: snapshotClass, source: { persistentVolumeClaimName: HOME_CLAIM } },
    });
}

/** The kubectl image of the snapshot job: its entrypoint is kubectl, and recent tags have no shell. */
export const KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.33.4";
/** Where the snapshot job reads the VolumeSnapshot it creates (a ConfigMap). */
export const SNAPSHOT_MANIFEST_DIR = "/etc/jenkins-snapshot";
export const SNAPSHOT_MANIFEST_FILE = "volumesnapshot.json";
const SNAPSHOTTER = "jenkins-snapshotter";

/**
 * The snapshot CronJob's spec: kubectl itself creates the VolumeSnapshot from a mounted file, so
 * nothing needs a shell (the kubectl image may have none). Runs as non-root with a read-only root;
 * kubectl's discovery cache goes to an emptyDir.
 */
export function homeSnapshotCronJobSpec(schedule: string, configMapName: string): k8s.types.input.batch.v1.CronJobSpec {
    return {
        schedule,
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            spec: {
                backoffLimit: 2,
                template: {
                    spec: {
                        serviceAccountName: SNAPSHOTTER,
                        restartPolicy: "OnFailure",
                        securityContext: { runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [
                            {
                                name: "snapshot",
                                image: KUBECTL_IMAGE,
                                command: ["/bin/kubectl", "create", "-f", `${SNAPSHOT_MANIFEST_DIR}/${SNAPSHOT_MANIFEST_FILE}`],
                                env: [{ name: "HOME", value: "/tmp" }],
                                volumeMounts: [
                                    { name: "manifest", mountPath: SNAPSHOT_MANIFEST_DIR, readOnly: true },
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                            },
                        ],
                        volumes: [
                            { name: "manifest", configMap: { name: configMapName } },
                            { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                        ],
                    },
                },
            },
        },
    };
}

/**
 * Jenkins whose home survives a zone outage (replicated LINSTOR volume, HA-controller label for
 * fast failover) and a region outage (scheduled snapshots shipped to S3): admin credentials from
 * Secrets Manager, TLS from the private CA, agents per architecture on CI nodes (Spot preferred), CSRF
 * protection on, and a controller identity that may only assume the configured deploy roles.
 */
export class Jenkins extends pulumi.ComponentResource {
    /** Jenkins URL. */
    public readonly url: string;
    /** Secrets Manager secret with the admin credentials. */
    public readonly adminSecretName: pulumi.Output<string>;

    constructor(name: string, args: JenkinsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:ci:Jenkins", name, {}, opts);
        const problems = validateJenkinsArgs(args);
        if (problems.length > 0) {
            throw new Error(`Jenkins ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const architectures = args.architectures ?? ["arm64", "amd64"];
        const deployRoleArns = args.deployRoleArns ?? [];
        const protect = args.protect ?? true;
        const keepHome = !(args.deleteDataOnDestroy ?? false);
        const k8sOpts = { parent: this, provider: args.cluster.provider };

        const namespace = platformNamespace(`${name}-namespace`, NAMESPACE, "restricted", true, k8sOpts);
        const password = new random.RandomPassword(
            `${name}-admin`,
            { length: 32, special: true, overrideSpecial: "-_.~" },
            { parent: this },
        );
        const admin = args.secrets.namespacedSecret(
            `${name}-admin`,
            {
                namespace: NAMESPACE,
                kubernetesSecretName: "jenkins-admin",
                description: "Jenkins admin credentials",
                keys: { "jenkins-admin-user": "user", "jenkins-admin-password": "password" },
                value: pulumi.secret(password.result.apply((p) => JSON.stringify({ user: "admin", password: p }))),
            },
            { parent: this, dependsOn: [namespace] },
        );

        let controllerRoleArn: pulumi.Output<string> | undefined;
        if (deployRoleArns.length > 0) {
            const role = new aws.iam.Role(
                `${name}-controller`,
                {
                    description: "Jenkins controller (IRSA): may only assume the configured deploy roles",
                    assumeRolePolicy: toJson(
                        pulumi
                            .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
                            .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, NAMESPACE, "jenkins")),
                    ),
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-controller`,
                { role: role.name, policy: JSON.stringify(controllerPermissions(deployRoleArns)) },
                { parent: this },
            );
            controllerRoleArn = role.arn;
        }

        const values = pulumi.all([controllerRoleArn, args.certificateArn]).apply(([roleArn, certificateArn]) =>
            mergeValues(
                buildJenkinsValues({
                    hostname: args.hostname,
                    storageClass: args.storageClass,
                    homeSizeGiB: args.homeSizeGiB ?? 50,
                    adminSecretName: admin.kubernetesSecretName,
                    ingressClassName: args.ingressClassName ?? "alb",
                    certificateArn,
                    architectures,
                    controllerRoleArn: roleArn,
                    keepHome,
                }),
                args.values,
            ),
        );
        const release = new k8s.helm.v3.Release(
            `${name}-chart`,
            releaseArgs({ ...JENKINS_CHART, version: args.chartVersion }, namespace.metadata.name, values),
            {
                ...k8sOpts,
                protect,
                retainOnDelete: keepHome,
                // The admin Secret's ExternalSecret exists before the controller starts (it reads it at boot).
                // Its pod needs a node and its home volume a running LINSTOR: waiting for them keeps the 600 s window for Jenkins itself.
                dependsOn: [
                    namespace,
                    ...(admin.externalSecret ? [admin.externalSecret] : []),
                    ...(args.ingressReady ?? []),
                    ...(args.capacity ?? []),
                ],
            },
        );

        // Scheduled snapshots of the home to the S3 snapshot class (disaster recovery).
        const snapshotter = new k8s.core.v1.ServiceAccount(
            `${name}-snapshotter`,
            { metadata: { name: "jenkins-snapshotter", namespace: NAMESPACE } },
            { ...k8sOpts, dependsOn: [namespace] },
        );
        const role = new k8s.rbac.v1.Role(
            `${name}-snapshotter`,
            {
                metadata: { name: "jenkins-snapshotter", namespace: NAMESPACE },
                rules: [{ apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["create", "get", "list"] }],
            },
            { ...k8sOpts, dependsOn: [namespace] },
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-snapshotter`,
            {
                metadata: { name: "jenkins-snapshotter", namespace: NAMESPACE },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "jenkins-snapshotter" },
                subjects: [{ kind: "ServiceAccount", name: "jenkins-snapshotter", namespace: NAMESPACE }],
            },
            { ...k8sOpts, dependsOn: [role, snapshotter] },
        );
        const manifest = new k8s.core.v1.ConfigMap(
            `${name}-home-snapshot`,
            {
                metadata: { name: "jenkins-home-snapshot", namespace: NAMESPACE },
                data: { [SNAPSHOT_MANIFEST_FILE]: homeSnapshotManifest(args.snapshotClass) },
            },
            { ...k8sOpts, dependsOn: [namespace] },
        );
        new k8s.batch.v1.CronJob(
            `${name}-home-snapshot`,
            {
                metadata: { name: "jenkins-home-snapshot", namespace: NAMESPACE },
                spec: homeSnapshotCronJobSpec(args.snapshotSchedule ?? "0 */6 * * *", "jenkins-home-snapshot"),
            },
            { ...k8sOpts, dependsOn: [release, manifest, ...(args.storageReady ?? [])] },
        );

        this.url = `https://${args.hostname}`;
        this.adminSecretName = admin.secretName;
        this.registerOutputs({ url: this.url, adminSecretName: this.adminSecretName });
    }
}
