import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClusterHandle, SecretsCatalog } from "../shared/interfaces";
import { EncryptedBucket } from "../shared/encrypted-bucket";
import { releaseArgs } from "../shared/helm";
import { toJson } from "../shared/iam-documents";
import { platformNamespace } from "../shared/namespace";
import {
    buildOperatorValues,
    CSI_CONTROLLER_SERVICE_ACCOUNT,
    linstorCluster,
    replicatedStorageParameters,
    LINSTOR_CLIENT_IMAGE,
    s3Endpoint,
    S3_REMOTE_NAME,
    s3SnapshotClass,
    satelliteConfiguration,
} from "./objects";
import { drUserPermissions } from "./policies";

/** The piraeus operator v2 chart (named `piraeus`), as upstream publishes it: an OCI chart on GHCR. */
export const PIRAEUS_CHART = { chart: "piraeus", repository: "oci://ghcr.io/piraeusdatastore/piraeus-operator" } as const;

export const NAMESPACE = "piraeus-datastore";
export const REPLICATED_STORAGE_CLASS = "linstor-replicated";
export const S3_SNAPSHOT_CLASS = "linstor-s3";

/** pulumi-kubernetes' await annotation: the LinstorCluster counts as created when LINSTOR is available. */
export const LINSTOR_AVAILABLE = { "pulumi.com/waitFor": "condition=Available" } as const;

/** Arguments of the replicated storage. */
export interface StorageArgs {
    readonly cluster: ClusterHandle;
    readonly secrets: SecretsCatalog;
    readonly region: string;
    readonly accountId: string;
    /** Exact piraeus chart version (= operator version). */
    readonly operatorChartVersion: string;
    /** Exact version of the EKS snapshot-controller add-on (CSI snapshot CRDs and controller). */
    readonly snapshotControllerVersion: string;
    /** DRBD replicas, each in a different zone. @default 3 */
    readonly replicas?: number;
    /** Days a snapshot stays in the DR bucket before it expires. @default 30 */
    readonly snapshotRetentionDays?: number;
    /** Days old snapshot object versions are kept. @default 30 */
    readonly drNoncurrentVersionDays?: number;
    /**
     * Generation of the snapshot user's S3 key: changing it (e.g. to the current quarter, `2026-q3`)
     * creates a new key, stores it for External Secrets, then deletes the old one.
     * @default "initial"
     */
    readonly s3KeyRotation?: string;
    /** @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the DR bucket, its key and the snapshot user. @default true */
    readonly protect?: boolean;
    /** Nodes the operator and LINSTOR run on (Karpenter's NodePools, the storage node groups): the releases wait for them. @default [] - the system nodes only */
    readonly capacity?: readonly pulumi.Resource[];
    /**
     * Resources created before the operator: its chart registers a validating webhook on every
     * StorageClass (and piraeus.io object) that fails closed while its pods start
     * (charts/piraeus templates/validating-webhook-configuration.yaml), so the cluster's own
     * StorageClasses must exist first. @default []
     */
    readonly createdBefore?: readonly pulumi.Resource[];
}

/** What the remote-key Job needs to know: where the key lives and which key it must find there. */
export interface S3RemoteKeyJobInput {
    readonly bucket: string;
    readonly region: string;
    /** Secret with `access-key` and `secret-key` (synced from Secrets Manager, so possibly late). */
    readonly secretName: string;
    /** The current key generation (`s3KeyRotation`): the Job waits until the Secret holds that generation's key. */
    readonly generation: string;
}

/**
 * Creates the one S3 remote, or gives it the current key. `linstor remote modify s3` fails on a remote
 * that does not exist yet, and `create` fails on one that does, so whichever applies runs and any
 * other failure (controller unreachable) fails the Job. The LINSTOR API is the controller Service the
 * operator creates (piraeus-operator v2 `pkg/resources/cluster/controller`, plain HTTP on 3370 without API TLS).
 * Argument order of `remote create s3`: name, endpoint, bucket, region, access key, secret key (LINSTOR user guide, "Creating an S3 remote").
 */
export const S3_REMOTE_KEY_SCRIPT = [
    "set -eu",
    // The Secret is an ExternalSecret: until it has synced the new generation, fail so the Job retries with a fresh pod.
    'if [ "$GENERATION" != "$EXPECTED_GENERATION" ]; then echo "Secret $SECRET_NAME holds key generation $GENERATION, not $EXPECTED_GENERATION yet" >&2; exit 1; fi',
    'linstor remote modify s3 "$REMOTE" --access-key "$ACCESS_KEY" --secret-key "$SECRET_KEY" ||',
    '    linstor remote create s3 "$REMOTE" "$ENDPOINT" "$BUCKET" "$REGION" "$ACCESS_KEY" "$SECRET_KEY"',
].join("\n");

/**
 * The Job that keeps the S3 remote on the current key. It is named after the key generation, so a
 * rotation replaces it and it runs again, between storing the new key and deleting the old one.
 */
export function s3RemoteKeyJobSpec(input: S3RemoteKeyJobInput): k8s.types.input.batch.v1.JobSpec {
    const fromSecret = (key: string) => ({ secretKeyRef: { name: input.secretName, key } });
    return {
        backoffLimit: 6,
        template: {
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "remote-key",
                        image: LINSTOR_CLIENT_IMAGE,
                        command: ["/bin/bash", "-c", S3_REMOTE_KEY_SCRIPT],
                        env: [
                            { name: "LS_CONTROLLERS", value: `http://linstor-controller.${NAMESPACE}.svc:3370` },
                            { name: "HOME", value: "/tmp" },
                            { name: "REMOTE", value: S3_REMOTE_NAME },
                            { name: "ENDPOINT", value: s3Endpoint(input.region) },
                            { name: "BUCKET", value: input.bucket },
                            { name: "REGION", value: input.region },
                            { name: "SECRET_NAME", value: input.secretName },
                            { name: "EXPECTED_GENERATION", value: input.generation },
                            { name: "GENERATION", valueFrom: fromSecret("generation") },
                            { name: "ACCESS_KEY", valueFrom: fromSecret("access-key") },
                            { name: "SECRET_KEY", valueFrom: fromSecret("secret-key") },
                        ],
                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                    },
                ],
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
            },
        },
    };
}

export function validateStorageArgs(args: Pick<StorageArgs, "replicas" | "snapshotRetentionDays" | "s3KeyRotation">): string[] {
    const problems: string[] = [];
    if (args.replicas !== undefined && (args.replicas < 2 || args.replicas > 3 || !Number.isInteger(args.replicas))) {
        problems.push(`replicas: got ${args.replicas}; use 2 (dev) or 3 (one per zone)`);
    }
    if (
        args.snapshotRetentionDays !== undefined &&
        (!Number.isInteger(args.snapshotRetentionDays) || args.snapshotRetentionDays < 1 || args.snapshotRetentionDays > 3650)
    ) {
        problems.push(`snapshotRetentionDays: got ${args.snapshotRetentionDays}; use a number of days from 1 to 3650`);
    }
    if (args.s3KeyRotation !== undefined && !/^[a-z0-9][a-z0-9-]{0,31}$/.test(args.s3KeyRotation)) {
        problems.push(`s3KeyRotation: got ${JSON.stringify(args.s3KeyRotation)}; use a short lower-case label such as 2026-q3`);
    }
    return problems;
}

/**
 * Replicated block storage for stateful CI: LINSTOR/DRBD through the piraeus operator on the
 * storage NodePool, an LVM-thin pool on each node's CMK-encrypted data volume, a StorageClass that
 * keeps a replica in each zone, CSI snapshots, and a VolumeSnapshotClass shipping snapshots to an
 * encrypted, versioned S3 bucket for disaster recovery.
 */
export class Storage extends pulumi.ComponentResource {
    /** StorageClass whose volumes survive the loss of a zone. */
    public readonly storageClassName: string;
    /** VolumeSnapshotClass that ships snapshots to S3. */
    public readonly snapshotClassName: string;
    /** DR bucket name. */
    public readonly drBucket: pulumi.Output<string>;
    /** Snapshot class objects ready (snapshots may be taken). */
    public readonly ready: pulumi.Resource[];
    /** Days the DR bucket keeps a backup: VolumeSnapshots must be pruned before then. */
    public readonly snapshotRetentionDays: number;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:storage:Storage", name, {}, opts);
        const problems = validateStorageArgs(args);
        if (problems.length > 0) {
            throw new Error(`Storage ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const replicas = args.replicas ?? 3;
        const snapshotRetentionDays = args.snapshotRetentionDays ?? 30;
        const s3KeyRotation = args.s3KeyRotation ?? "initial";
        const protect = args.protect ?? true;
        const k8sOpts = { parent: this, provider: args.cluster.provider };

        const namespace = platformNamespace(`${name}-namespace`, NAMESPACE, "privileged", true, k8sOpts);

        // LINSTOR's master passphrase encrypts its secrets at rest; it lives only in Secrets Manager.
        const passphrase = new random.RandomPassword(`${name}-passphrase`, { length: 48, special: false }, { parent: this, protect });
        const passphraseSecret = args.secrets.namespacedSecret(
            `${name}-passphrase`,
            {
                namespace: NAMESPACE,
                kubernetesSecretName: "linstor-passphrase",
                description: "LINSTOR master passphrase",
                keys: { MASTER_PASSPHRASE: undefined },
                value: passphrase.result,
            },
            { parent: this, dependsOn: [namespace] },
        );

        const operator = new k8s.helm.v3.Release(
            `${name}-operator`,
            releaseArgs({ ...PIRAEUS_CHART, version: args.operatorChartVersion }, namespace.metadata.name, buildOperatorValues()),
            {
                ...k8sOpts,
                // The operator runs on Karpenter's general nodes: its atomic release waits for them (and CoreDNS).
                dependsOn: [namespace, ...args.cluster.systemReady, ...(args.capacity ?? []), ...(args.createdBefore ?? [])],
                retainOnDelete: protect,
            },
        );
        const cluster = linstorCluster(passphraseSecret.kubernetesSecretName);
        const clusterResource = new k8s.apiextensions.CustomResource(
            `${name}-cluster`,
            // Created only once the LINSTOR controller answers (piraeus-operator docs/reference/linstorcluster.md,
            // condition `Available`), so what needs volumes waits for a working LINSTOR, not for an applied object.
            { ...cluster, metadata: { ...cluster.metadata, annotations: { ...LINSTOR_AVAILABLE } } },
            { ...k8sOpts, dependsOn: [operator] },
        );
        const satellites = satelliteConfiguration();
        new k8s.apiextensions.CustomResource(`${name}-satellites`, { ...satellites }, { ...k8sOpts, dependsOn: [operator] });

        this.storageClassName = REPLICATED_STORAGE_CLASS;
        new k8s.storage.v1.StorageClass(
            `${name}-replicated`,
            {
                metadata: { name: REPLICATED_STORAGE_CLASS },
                provisioner: "linstor.csi.linbit.com",
                parameters: replicatedStorageParameters(replicas),
                volumeBindingMode: "WaitForFirstConsumer",
                reclaimPolicy: "Retain",
                allowVolumeExpansion: true,
            },
            { ...k8sOpts, dependsOn: [clusterResource] },
        );

        // CSI snapshots: CRDs and controller from the EKS add-on.
        const snapshotAddon = new aws.eks.Addon(
            `${name}-snapshot-controller`,
            {
                clusterName: args.cluster.name,
                addonName: "snapshot-controller",
                addonVersion: args.snapshotControllerVersion,
                resolveConflictsOnUpdate: "OVERWRITE",
            },
            { parent: this },
        );

        const bucket = new EncryptedBucket(
            `${name}-dr`,
            {
                region: args.region,
                accountId: args.accountId,
                purpose: `${name} volume snapshots (disaster recovery)`,
                versioning: true,
                // Snapshot retention: LINSTOR ships full (not incremental) backups, so expiring the
                // old ones never breaks a newer one.
                expirationDays: snapshotRetentionDays,
                noncurrentVersionExpirationDays: args.drNoncurrentVersionDays ?? 30,
                kmsDeletionWindowDays: args.kmsDeletionWindowDays,
                protect,
            },
            { parent: this },
        );
        const user = new aws.iam.User(`${name}-snapshots`, { path: "/ciplatform/" }, { parent: this, protect });
        new aws.iam.UserPolicy(
            `${name}-snapshots`,
            {
                user: user.name,
                policy: toJson(pulumi.all([bucket.arn, bucket.kmsKeyArn]).apply(([b, k]) => drUserPermissions(b, k, args.region))),
            },
            { parent: this },
        );
        // Rotated by changing s3KeyRotation: the new key is created and stored before the old one is deleted.
        const accessKey = new aws.iam.AccessKey(
            `${name}-snapshots`,
            { user: user.name },
            { parent: this, replacementTrigger: s3KeyRotation },
        );
        const s3Secret = args.secrets.namespacedSecret(
            `${name}-s3-credentials`,
            {
                namespace: NAMESPACE,
                kubernetesSecretName: "linstor-s3-credentials",
                description: `S3 key LINSTOR ships snapshots with (IAM user limited to the DR bucket), generation ${s3KeyRotation}`,
                // `generation` lets the remote-key Job tell a synced Secret from a stale one without reading the key id.
                keys: { "access-key": "access-key", "secret-key": "secret-key", generation: "generation" },
                kubernetesSecretType: "linstor.csi.linbit.com/s3-credentials.v1",
                revision: s3KeyRotation,
                value: pulumi.secret(
                    pulumi
                        .all([accessKey.id, accessKey.secret])
                        .apply(([id, secret]) => JSON.stringify({ "access-key": id, "secret-key": secret, generation: s3KeyRotation })),
                ),
            },
            { parent: this, dependsOn: [namespace] },
        );

        // The CSI controller's csi-snapshotter reads the Secret the snapshot class names; newer piraeus
        // releases no longer grant it every Secret of the cluster (piraeus-operator PR #1053), so it gets this one.
        const secretReader = new k8s.rbac.v1.Role(
            `${name}-s3-credentials-reader`,
            {
                metadata: { name: "linstor-s3-credentials-reader", namespace: NAMESPACE },
                rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [s3Secret.kubernetesSecretName], verbs: ["get"] }],
            },
            { ...k8sOpts, dependsOn: [namespace] },
        );
        const secretReaderBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-s3-credentials-reader`,
            {
                metadata: { name: "linstor-s3-credentials-reader", namespace: NAMESPACE },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "linstor-s3-credentials-reader" },
                subjects: [{ kind: "ServiceAccount", name: CSI_CONTROLLER_SERVICE_ACCOUNT, namespace: NAMESPACE }],
            },
            { ...k8sOpts, dependsOn: [secretReader] },
        );

        // On every key generation the one remote gets the new key before the old key is deleted
        // (the access key is replaced create-before-delete), so no remote ever holds a dead key.
        const remoteKeyJob = new k8s.batch.v1.Job(
            `${name}-s3-remote-key`,
            {
                metadata: { name: `linstor-s3-remote-key-${s3KeyRotation}`, namespace: NAMESPACE },
                // Built without the access key's outputs: no Kubernetes object but the Secret carries the key.
                spec: bucket.bucket.apply((b) =>
                    s3RemoteKeyJobSpec({
                        bucket: b,
                        region: args.region,
                        secretName: s3Secret.kubernetesSecretName,
                        generation: s3KeyRotation,
                    }),
                ),
            },
            { ...k8sOpts, dependsOn: [clusterResource, ...(s3Secret.externalSecret ? [s3Secret.externalSecret] : [])] },
        );

        this.snapshotClassName = S3_SNAPSHOT_CLASS;
        const snapshotClassObject = bucket.bucket.apply((b) =>
            s3SnapshotClass({
                name: S3_SNAPSHOT_CLASS,
                bucket: b,
                remoteName: S3_REMOTE_NAME,
                region: args.region,
                secretName: s3Secret.kubernetesSecretName,
                secretNamespace: NAMESPACE,
            }),
        );
        const snapshotClass = new k8s.apiextensions.CustomResource(
            `${name}-snapshot-class`,
            {
                apiVersion: "snapshot.storage.k8s.io/v1",
                kind: "VolumeSnapshotClass",
                metadata: { name: S3_SNAPSHOT_CLASS },
                driver: snapshotClassObject.driver,
                deletionPolicy: snapshotClassObject.deletionPolicy,
                parameters: snapshotClassObject.parameters,
            },
            { ...k8sOpts, dependsOn: [snapshotAddon, clusterResource, secretReaderBinding, remoteKeyJob] },
        );

        this.drBucket = bucket.bucket;
        this.snapshotRetentionDays = snapshotRetentionDays;
        this.ready = [snapshotClass, clusterResource];
        this.registerOutputs({
            storageClassName: this.storageClassName,
            snapshotClassName: this.snapshotClassName,
            drBucket: this.drBucket,
        });
    }
}
