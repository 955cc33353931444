import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Architecture, ClusterHandle, SecretsCatalog } from "../shared/interfaces";
import { mergeValues, releaseArgs, Values } from "../shared/helm";
import { irsaTrustPolicy, toJson } from "../shared/iam-documents";
import { controllerPermissions } from "./policies";
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
    /** Cron schedule of home snapshots (any minutes, hours and weekdays; every day of every month). @default "0 *\/6 * * *" */
    readonly snapshotSchedule?: string;
    /** Days the DR bucket keeps a snapshot's backup (the storage's retention): VolumeSnapshots are pruned before then. @default 30 */
    readonly snapshotRetentionDays?: number;
    /** Explicit opt-in to delete the home claim with the release. @default false */
    readonly deleteDataOnDestroy?: boolean;
    /** Protect the release. @default true */
    readonly protect?: boolean;
    /** Helm values merged last. @default {} */
    readonly values?: Values;
}

/**
 * The deploy roles Jenkins may assume, in this or another account, are named
 * `<environment prefix>-jenkins-deploy…` (no path): the workload boundary lets the environment's
 * identities assume exactly these outside the account, and the config refuses any other name.
 */
export function jenkinsDeployRoleName(environmentPrefix: string): string {
    return `${environmentPrefix}-jenkins-deploy`;
}

/** ARN pattern (any account) of the deploy roles an environment's Jenkins may assume. */
export function jenkinsDeployRoleArnPattern(environmentPrefix: string): string {
    return `arn:aws:iam::*:role/${jenkinsDeployRoleName(environmentPrefix)}*`;
}

/** Whether a deploy role ARN follows the naming the workload boundary allows. */
export function isAllowedJenkinsDeployRole(arn: string, environmentPrefix: string): boolean {
    const name = jenkinsDeployRoleName(environmentPrefix).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`^arn:aws[a-z-]*:iam::\\d{12}:role/${name}[\\w+=,.@-]*$`).test(arn);
}

/** The values of one cron field (`*`, `*\/n`, `a`, `a-b`, `a-b/n`, comma lists) within [min, max]. */
function cronField(field: string, min: number, max: number): Set<number> | undefined {
    const values = new Set<number>();
    for (const part of field.split(",")) {
        const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
        if (!m) return undefined;
        const from = m[1] === "*" ? min : Number(m[2]);
        const to = m[1] === "*" ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : from;
        const step = m[4] !== undefined ? Number(m[4]) : 1;
        if (from < min || to > max || from > to || step < 1) return undefined;
        for (let v = from; v <= to; v += step) values.add(v);
    }
    return values;
}

/**
 * Snapshots a cron schedule takes per day, on average. Day-of-month and month must be `*`: a DR
 * schedule runs every day (or on fixed weekdays), so the number kept maps to a number of days.
 */
export function snapshotsPerDay(schedule: string): { perDay: number } | { problem: string } {
    const fields = schedule.trim().split(/\s+/);
    const usage = 'use a cron expression such as "0 */6 * * *" (minute hour * * weekday)';
    if (fields.length !== 5) return { problem: usage };
    const [minute, hour, dom, month, dow] = fields;
    const minutes = cronField(minute, 0, 59);
    const hours = cronField(hour, 0, 23);
    const weekdays = dow === "*" ? new Set([0, 1, 2, 3, 4, 5, 6]) : cronField(dow.replace(/\b7\b/g, "0"), 0, 6);
    if (!minutes || !hours || !weekdays) return { problem: usage };
    if (dom !== "*" || month !== "*")
        return { problem: "day of month and month must be `*` (snapshots are kept by count, so they must come at a steady rate)" };
    return { perDay: (minutes.size * hours.size * weekdays.size) / 7 };
}

/**
 * How many of the schedule's snapshots to keep: those a day younger than the bucket's retention,
 * so every VolumeSnapshot left still has its backup (S3 expires objects within a day of their age).
 */
export function snapshotsKept(perDay: number, retentionDays: number): number {
    return Math.max(1, Math.floor((retentionDays - 1) * perDay));
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
    if (args.snapshotSchedule !== undefined) {
        const runs = snapshotsPerDay(args.snapshotSchedule);
        if ("problem" in runs) problems.push(`snapshotSchedule: got ${JSON.stringify(args.snapshotSchedule)}; ${runs.problem}`);
    }
    return problems;
}

/**
 * The VolumeSnapshot each run creates: named after the run's Job and owned by it, so when the
 * CronJob deletes an old Job (its `successfulJobsHistoryLimit`) the garbage collector deletes the
 * snapshot with it. The Job's name and uid reach the manifest without a shell: the Downward API
 * writes the pod's Job labels to files beside it, and kubectl's kustomize copies them in
 * (`homeSnapshotKustomization`). The backup itself stays in S3 until the bucket expires it (the
 * class keeps contents, `Retain`).
 */
export function homeSnapshotManifest(snapshotClass: string): string {
    return JSON.stringify({
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshot",
        metadata: {
            name: "set-from-job-name",
            namespace: NAMESPACE,
            labels: { "app.kubernetes.io/part-of": "jenkins-dr" },
            ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: "set-from-job-name", uid: "set-from-job-uid" }],
        },
        spec: { volumeSnapshotClassName: snapshotClass, source: { persistentVolumeClaimName: HOME_CLAIM } },
    });
}

/** Files the Downward API writes beside the manifest: the Job labels the Job controller puts on its pods (Kubernetes 1.27+). */
export const JOB_LABEL_FILES = { "job-name": "batch.kubernetes.io/job-name", "job-uid": "batch.kubernetes.io/controller-uid" } as const;

/**
 * kustomization.yaml of the snapshot: a ConfigMap generated from the Downward API files (marked
 * local-config, so kustomize uses it and never outputs it) whose values replace the VolumeSnapshot's
 * name and owner reference.
 */
export function homeSnapshotKustomization(): string {
    const from = (file: keyof typeof JOB_LABEL_FILES) => ({ kind: "ConfigMap", name: "snapshot-owner", fieldPath: `data.${file}` });
    return JSON.stringify({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: [SNAPSHOT_MANIFEST_FILE],
        generatorOptions: { disableNameSuffixHash: true, annotations: { "config.kubernetes.io/local-config": "true" } },
        configMapGenerator: [{ name: "snapshot-owner", files: Object.keys(JOB_LABEL_FILES) }],
        replacements: [
            {
                source: from("job-name"),
                targets: [{ select: { kind: "VolumeSnapshot" }, fieldPaths: ["metadata.name", "metadata.ownerReferences.0.name"] }],
            },
            { source: from("job-uid"), targets: [{ select: { kind: "VolumeSnapshot" }, fieldPaths: ["metadata.ownerReferences.0.uid"] }] },
        ],
    });
}

/** The kubectl image of the snapshot job: its entrypoint is kubectl, and recent tags have no shell. */
export const KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.33.4";
/** Where the snapshot job reads the VolumeSnapshot it creates (a ConfigMap). */
export const SNAPSHOT_MANIFEST_DIR = "/etc/jenkins-snapshot";
export const SNAPSHOT_MANIFEST_FILE = "volumesnapshot.json";
export const SNAPSHOT_KUSTOMIZATION_FILE = "kustomization.yaml";
const SNAPSHOTTER = "jenkins-snapshotter";

/** How long a snapshot may take to be cut and shipped to S3 before its Job counts as a failed backup. */
export const SNAPSHOT_READY_TIMEOUT = "3h";

/**
 * The snapshot CronJob's spec: kubectl itself builds the VolumeSnapshot from the mounted
 * kustomization, so nothing needs a shell (the kubectl image may have none). An init container
 * applies it server-side (idempotent, so a retried pod does not fail on AlreadyExists), then the
 * main container waits for `readyToUse`: linstor-csi reports it only once the backup is in S3, so a
 * backup that never lands fails the Job (and shows in `failedJobsHistoryLimit`) instead of passing
 * unseen. It keeps `kept` finished Jobs, and so `kept` snapshots: older ones go with their Job. Runs
 * as non-root with a read-only root; kubectl's discovery cache goes to an emptyDir.
 */
export function homeSnapshotCronJobSpec(schedule: string, configMapName: string, kept: number): k8s.types.input.batch.v1.CronJobSpec {
    const kubectl = (name: string, command: string[]): k8s.types.input.core.v1.Container => ({
        name,
        image: KUBECTL_IMAGE,
        command,
        env: [
            { name: "HOME", value: "/tmp" },
            // The snapshot is named after its Job (homeSnapshotKustomization); Kubernetes expands $(SNAPSHOT_NAME) in the command.
            { name: "SNAPSHOT_NAME", valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_LABEL_FILES["job-name"]}']` } } },
        ],
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
    });
    return {
        schedule,
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: kept,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            spec: {
                backoffLimit: 2,
                template: {
                    spec: {
                        serviceAccountName: SNAPSHOTTER,
                        restartPolicy: "Never",
                        securityContext: { runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } },
                        initContainers: [kubectl("snapshot", ["/bin/kubectl", "apply", "--server-side", "-k", SNAPSHOT_MANIFEST_DIR])],
                        containers: [
                            kubectl("ready", [
                                "/bin/kubectl",
                                "wait",
                                "volumesnapshot/$(SNAPSHOT_NAME)",
                                "--for=jsonpath={.status.readyToUse}=true",
                                `--timeout=${SNAPSHOT_READY_TIMEOUT}`,
                            ]),
                        ],
                        volumes: [
                            {
                                name: "manifest",
                                projected: {
                                    sources: [
                                        { configMap: { name: configMapName } },
                                        {
                                            downwardAPI: {
                                                items: Object.entries(JOB_LABEL_FILES).map(([path, label]) => ({
                                                    path,
                                                    fieldRef: { fieldPath: `metadata.labels['${label}']` },
                                                })),
                                            },
                                        },
                                    ],
                                },
                            },
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
        const snapshotSchedule = args.snapshotSchedule ?? "0 */6 * * *";
        const snapshotRetentionDays = args.snapshotRetentionDays ?? 30;
        const runs = snapshotsPerDay(snapshotSchedule);
        const perDay = "perDay" in runs ? runs.perDay : 1;
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
                rules: [
                    {
                        apiGroups: ["snapshot.storage.k8s.io"],
                        resources: ["volumesnapshots"],
                        verbs: ["create", "get", "list", "watch", "patch"],
                    },
                ],
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
                data: {
                    [SNAPSHOT_MANIFEST_FILE]: homeSnapshotManifest(args.snapshotClass),
                    [SNAPSHOT_KUSTOMIZATION_FILE]: homeSnapshotKustomization(),
                },
            },
            { ...k8sOpts, dependsOn: [namespace] },
        );
        new k8s.batch.v1.CronJob(
            `${name}-home-snapshot`,
            {
                metadata: { name: "jenkins-home-snapshot", namespace: NAMESPACE },
                spec: homeSnapshotCronJobSpec(snapshotSchedule, "jenkins-home-snapshot", snapshotsKept(perDay, snapshotRetentionDays)),
            },
            { ...k8sOpts, dependsOn: [release, manifest, ...(args.storageReady ?? [])] },
        );

        this.url = `https://${args.hostname}`;
        this.adminSecretName = admin.secretName;
        this.registerOutputs({ url: this.url, adminSecretName: this.adminSecretName });
    }
}
