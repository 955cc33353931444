/**
 * LINSTOR (piraeus.io/v1) and CSI snapshot (snapshot.storage.k8s.io/v1) objects. No npm package
 * ships typed models for them, so they are typed here and checked against JSON schemas written
 * from the upstream CRDs (components/storage-schemas.ts).
 */
import { POOL_LABEL, POOLS, Taint } from "../shared/interfaces";
import { STORAGE_POOL, VOLUME_GROUP } from "./nodes";

export { STORAGE_POOL, VOLUME_GROUP };

interface Metadata {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
}

/** A core/v1 Toleration as the operator's manifests spell it. */
export interface Toleration {
    key?: string;
    operator?: "Equal" | "Exists";
    value?: string;
    effect?: Taint["effect"];
    tolerationSeconds?: number;
}

/** `LinstorCluster.spec.<component>` (piraeus-operator `api/v1/component_spec.go`, since v2.3). */
export interface ComponentSpec {
    enabled?: boolean;
    /** Strategic-merge patch over the component's pod template (`patches/pod-template.yaml`). */
    podTemplate?: { spec?: { tolerations?: Toleration[]; nodeSelector?: Record<string, string> } };
}

export interface LinstorCluster {
    apiVersion: "piraeus.io/v1";
    kind: "LinstorCluster";
    metadata: Metadata;
    spec: {
        nodeSelector?: Record<string, string>;
        linstorPassphraseSecret?: string;
        controller?: ComponentSpec;
        csiController?: ComponentSpec;
        csiNode?: ComponentSpec;
        highAvailabilityController?: ComponentSpec;
        properties?: Array<{ name: string; value: string }>;
    };
}

/**
 * The pods the piraeus operator creates from a LinstorCluster, and the tolerations each has in the
 * operator's base manifests (piraeus-operator v2, `pkg/resources/cluster/<dir>/…`; unchanged from
 * v2.4 to the pinned 2.8.x). `LinstorCluster.spec.nodeSelector` is patched into every one of them
 * (`internal/controller/linstorcluster_controller.go`: `ClusterLinstorControllerNodeSelector`,
 * `ClusterCSIControllerNodeSelector`, `ClusterCSINodeSelectorPatch`, `ClusterHAControllerNodeSelectorPatch`),
 * but no toleration is (`spec.tolerations` only arrived in v2.9). A component's `podTemplate` is a
 * strategic-merge patch, and core/v1 `PodSpec.tolerations` is an atomic list: tolerations given
 * there REPLACE the base list, so the base entries are repeated, not dropped.
 */
export const PIRAEUS_COMPONENTS = {
    controller: {
        kind: "Deployment",
        name: "linstor-controller",
        source: "pkg/resources/cluster/controller/controller-deployment.yaml",
        baseTolerations: [
            { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
            { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
            { key: "drbd.linbit.com/lost-quorum", effect: "NoSchedule" },
            { key: "drbd.linbit.com/force-io-error", effect: "NoSchedule" },
        ],
    },
    csiController: {
        kind: "Deployment",
        name: "linstor-csi-controller",
        source: "pkg/resources/cluster/csi-controller/csi-controller-deployment.yaml",
        baseTolerations: [
            { key: "drbd.linbit.com/lost-quorum", effect: "NoSchedule" },
            { key: "drbd.linbit.com/force-io-error", effect: "NoSchedule" },
        ],
    },
    csiNode: {
        kind: "DaemonSet",
        name: "linstor-csi-node",
        source: "pkg/resources/cluster/csi-node/csi-node-daemon-set.yaml",
        baseTolerations: [
            { key: "node-role.kubernetes.io/master", effect: "NoSchedule" },
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
            { key: "drbd.linbit.com/lost-quorum", effect: "NoSchedule" },
            { key: "drbd.linbit.com/force-io-error", effect: "NoSchedule" },
        ],
    },
    highAvailabilityController: {
        kind: "DaemonSet",
        name: "ha-controller",
        source: "pkg/resources/cluster/ha-controller/daemonset.yaml",
        baseTolerations: [
            { key: "node-role.kubernetes.io/master", effect: "NoSchedule" },
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
            { key: "drbd.linbit.com/lost-quorum", effect: "NoSchedule" },
            { key: "drbd.linbit.com/force-io-error", effect: "NoSchedule" },
        ],
    },
} as const satisfies Record<
    string,
    { kind: "Deployment" | "DaemonSet"; name: string; source: string; baseTolerations: readonly Toleration[] }
>;

export type PiraeusComponent = keyof typeof PIRAEUS_COMPONENTS;

/** The satellites' base tolerations (`pkg/resources/satellite/satellite/daemonset.yaml`). */
export const PIRAEUS_SATELLITE_BASE_TOLERATIONS: readonly Toleration[] = PIRAEUS_COMPONENTS.csiNode.baseTolerations;

/** The toleration of a pool's taint. */
export function tolerationOf(taint: Taint): Toleration {
    return { key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect };
}

export interface LinstorSatelliteConfiguration {
    apiVersion: "piraeus.io/v1";
    kind: "LinstorSatelliteConfiguration";
    metadata: Metadata;
    spec: {
        nodeSelector?: Record<string, string>;
        storagePools?: Array<{ name: string; lvmThinPool?: { volumeGroup: string; thinPool: string }; source?: { hostDevices: string[] } }>;
        podTemplate?: Record<string, unknown>;
    };
}

export interface VolumeSnapshotClass {
    apiVersion: "snapshot.storage.k8s.io/v1";
    kind: "VolumeSnapshotClass";
    metadata: Metadata;
    driver: string;
    deletionPolicy: "Delete" | "Retain";
    parameters?: Record<string, string>;
}

/**
 * The cluster: all of LINSTOR (controller, CSI controller, CSI node plugin, HA controller and the
 * satellites) on the storage node groups, the master passphrase from a Secret, the HA controller on.
 * The operator pins every component to `spec.nodeSelector`, and those nodes carry the storage
 * taint, so each component's pod template tolerates it (its base tolerations kept, see
 * `PIRAEUS_COMPONENTS`). Workloads on LINSTOR volumes run on those nodes too
 * (`placementOn("storage")`), where their replicas are local.
 */
export function linstorCluster(passphraseSecret: string): LinstorCluster {
    const onStorageNodes = (component: PiraeusComponent): ComponentSpec => ({
        podTemplate: {
            spec: { tolerations: [...PIRAEUS_COMPONENTS[component].baseTolerations, tolerationOf(POOLS.storage.taint)] },
        },
    });
    return {
        apiVersion: "piraeus.io/v1",
        kind: "LinstorCluster",
        metadata: { name: "linstorcluster" },
        spec: {
            nodeSelector: { [POOL_LABEL]: POOLS.storage.label },
            linstorPassphraseSecret: passphraseSecret,
            controller: onStorageNodes("controller"),
            csiController: onStorageNodes("csiController"),
            csiNode: onStorageNodes("csiNode"),
            highAvailabilityController: { enabled: true, ...onStorageNodes("highAvailabilityController") },
        },
    };
}

/**
 * Satellites on the storage node groups: tolerate their taint and use the LVM-thin pool each node
 * created on its EBS data volume at boot (no device path here, so an instance-store disk can never
 * be picked). The DRBD module loader is the operator's default for the node image: the storage
 * nodes run Ubuntu 24.04, which piraeus maps to its `drbd9-noble` loader, building DRBD against the
 * headers the node installed for its running kernel.
 */
export function satelliteConfiguration(): LinstorSatelliteConfiguration {
    return {
        apiVersion: "piraeus.io/v1",
        kind: "LinstorSatelliteConfiguration",
        metadata: { name: "storage-nodes" },
        spec: {
            nodeSelector: { [POOL_LABEL]: POOLS.storage.label },
            storagePools: [{ name: STORAGE_POOL, lvmThinPool: { volumeGroup: VOLUME_GROUP, thinPool: STORAGE_POOL } }],
            podTemplate: { spec: { tolerations: [...PIRAEUS_SATELLITE_BASE_TOLERATIONS, tolerationOf(POOLS.storage.taint)] } },
        },
    };
}

/** StorageClass parameters: `replicas` copies, each in a different zone, on the thin pool. */
export function replicatedStorageParameters(replicas: number): Record<string, string> {
    return {
        "linstor.csi.linbit.com/storagePool": STORAGE_POOL,
        "linstor.csi.linbit.com/placementCount": String(replicas),
        "linstor.csi.linbit.com/replicasOnDifferent": "topology.kubernetes.io/zone",
        "csi.storage.k8s.io/fstype": "ext4",
    };
}

/**
 * The one LINSTOR S3 remote snapshots ship through, whatever the key generation. linstor-csi looks
 * every new snapshot up in *all* S3 remotes and fails it on the first remote answering with anything
 * but a 404 (piraeusdatastore/linstor-csi v1.12.0 `pkg/driver/driver.go` CreateSnapshot -> `FindSnapsByID`,
 * `pkg/client/linstor.go` `findInProgressOrLegacySnaps` / `findS3BackupInRemote`), so a remote per key
 * generation would leave an older remote holding a deleted key and break every later snapshot. One
 * remote, whose key the platform rewrites on rotation (`s3RemoteKeyJobSpec` in storage.ts), never
 * holds a dead key; and since it always names the same bucket, it lists every backup for restores.
 */
export const S3_REMOTE_NAME = "dr";

/**
 * The LINSTOR client the remote-key Job runs: the controller image the pinned piraeus chart deploys
 * (piraeus-operator charts/piraeus 2.6.0 `templates/config.yaml`, component `linstor-controller`),
 * so client and controller speak the same API.
 */
export const LINSTOR_CLIENT_IMAGE = "quay.io/piraeusdatastore/piraeus-server:v1.29.1";

/** The regional S3 endpoint LINSTOR ships backups to (snapshot class and remote-key Job alike). */
export function s3Endpoint(region: string): string {
    return `s3.${region}.amazonaws.com`;
}

/** The service account of the CSI controller (its csi-snapshotter reads the S3 key Secret), `pkg/resources/cluster/csi-controller/csi-controller-service-account.yaml`. */
export const CSI_CONTROLLER_SERVICE_ACCOUNT = "linstor-csi-controller";

export interface S3SnapshotClassInput {
    readonly name: string;
    readonly bucket: string;
    /** LINSTOR remote name (`S3_REMOTE_NAME`). */
    readonly remoteName: string;
    readonly region: string;
    /** Secret with `access-key` and `secret-key`. */
    readonly secretName: string;
    readonly secretNamespace: string;
}

/** Ships LINSTOR snapshots to S3 (full copies; local copies deleted once uploaded); snapshots outlive their objects. */
export function s3SnapshotClass(input: S3SnapshotClassInput): VolumeSnapshotClass {
    return {
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshotClass",
        metadata: { name: input.name },
        driver: "linstor.csi.linbit.com",
        deletionPolicy: "Retain",
        parameters: {
            "snap.linstor.csi.linbit.com/type": "S3",
            "snap.linstor.csi.linbit.com/remote-name": input.remoteName,
            "snap.linstor.csi.linbit.com/delete-local": "true",
            "snap.linstor.csi.linbit.com/allow-incremental": "false",
            "snap.linstor.csi.linbit.com/s3-bucket": input.bucket,
            "snap.linstor.csi.linbit.com/s3-endpoint": s3Endpoint(input.region),
            "snap.linstor.csi.linbit.com/s3-signing-region": input.region,
            "snap.linstor.csi.linbit.com/s3-use-path-style": "false",
            "csi.storage.k8s.io/snapshotter-secret-name": input.secretName,
            "csi.storage.k8s.io/snapshotter-secret-namespace": input.secretNamespace,
        },
    };
}

/**
 * Operator chart values: the chart installs its CRDs only when asked (`installCRDs` defaults to
 * false), and the operator container runs with a restricted security context. The namespace stays
 * `privileged` on purpose: the satellites, CSI node plugin and DRBD loader the operator creates need
 * host access to load a kernel module and manage block devices.
 */
export function buildOperatorValues(): Record<string, unknown> {
    return {
        installCRDs: true,
        operator: {
            securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 1000,
                seccompProfile: { type: "RuntimeDefault" },
            },
        },
    };
}
