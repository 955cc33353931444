/**
 * LINSTOR (piraeus.io/v1) and CSI snapshot (snapshot.storage.k8s.io/v1) objects. No npm package
 * ships typed models for them, so they are typed here and checked against JSON schemas written
 * from the upstream CRDs (components/storage-schemas.ts).
 */
import { POOL_LABEL, POOLS } from "./interfaces";

export const STORAGE_POOL = "thinpool";
export const VOLUME_GROUP = "linstor_vg";

interface Metadata {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
}

export interface LinstorCluster {
    apiVersion: "piraeus.io/v1";
    kind: "LinstorCluster";
    metadata: Metadata;
    spec: {
        nodeSelector?: Record<string, string>;
        linstorPassphraseSecret?: string;
        highAvailabilityController?: { enabled: boolean };
        properties?: Array<{ name: string; value: string }>;
    };
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

/** The cluster: satellites only on storage nodes, the master passphrase from a Secret, the HA controller on. */
export function linstorCluster(passphraseSecret: string): LinstorCluster {
    return {
        apiVersion: "piraeus.io/v1",
        kind: "LinstorCluster",
        metadata: { name: "linstorcluster" },
        spec: {
            nodeSelector: { [POOL_LABEL]: POOLS.storage.label },
            linstorPassphraseSecret: passphraseSecret,
            highAvailabilityController: { enabled: true },
        },
    };
}

/**
 * Satellites on the storage NodePool: tolerate its taint, build an LVM-thin pool on the data
 * volume, and have the DRBD module loader compile the module against the running AL2023 kernel
 * (no prebuilt module matches Amazon Linux kernels; the storage node class installs kernel-devel).
 */
export function satelliteConfiguration(dataDevice: string): LinstorSatelliteConfiguration {
    const taint = POOLS.storage.taint;
    return {
        apiVersion: "piraeus.io/v1",
        kind: "LinstorSatelliteConfiguration",
        metadata: { name: "storage-nodes" },
        spec: {
            nodeSelector: { [POOL_LABEL]: POOLS.storage.label },
            storagePools: [{ name: STORAGE_POOL, lvmThinPool: { volumeGroup: VOLUME_GROUP, thinPool: STORAGE_POOL }, source: { hostDevices: [dataDevice] } }],
            podTemplate: {
                spec: {
                    tolerations: [{ key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect }],
                    initContainers: [{ name: "drbd-module-loader", env: [{ name: "LB_HOW", value: "compile" }] }],
                },
            },
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

export interface S3SnapshotClassInput {
    readonly name: string;
    readonly bucket: string;
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
            "snap.linstor.csi.linbit.com/remote-name": input.bucket,
            "snap.linstor.csi.linbit.com/delete-local": "true",
            "snap.linstor.csi.linbit.com/allow-incremental": "false",
            "snap.linstor.csi.linbit.com/s3-bucket": input.bucket,
            "snap.linstor.csi.linbit.com/s3-endpoint": `s3.${input.region}.amazonaws.com`,
            "snap.linstor.csi.linbit.com/s3-signing-region": input.region,
            "snap.linstor.csi.linbit.com/s3-use-path-style": "false",
            "csi.storage.k8s.io/snapshotter-secret-name": input.secretName,
            "csi.storage.k8s.io/snapshotter-secret-namespace": input.secretNamespace,
        },
    };
}

/** AL2023 user data for storage nodes: kernel headers so the DRBD module can be built, and LVM. */
export const STORAGE_NODE_USER_DATA = [
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="//"',
    "",
    "--//",
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    "#!/bin/bash",
    "set -euo pipefail",
    'dnf install -y "kernel-devel-$(uname -r)" lvm2',
    "--//--",
    "",
].join("\n");
