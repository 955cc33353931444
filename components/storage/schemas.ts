/**
 * JSON schemas of the fields the platform sets on LINSTOR and snapshot objects, written from the
 * upstream CRDs (piraeus-operator v2 `piraeus.io/v1`, external-snapshotter v8
 * `snapshot.storage.k8s.io/v1`). Unknown fields are rejected, so a typo fails a test.
 */
const metadata = {
    type: "object",
    required: ["name"],
    properties: { name: { type: "string", minLength: 1 }, namespace: { type: "string" }, labels: { type: "object" } },
};
const stringMap = { type: "object", additionalProperties: { type: "string" } };

/** core/v1 Toleration (the fields a pod template's `tolerations` may carry). */
const toleration = {
    type: "object",
    additionalProperties: false,
    properties: {
        key: { type: "string" },
        operator: { enum: ["Equal", "Exists"] },
        value: { type: "string" },
        effect: { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
        tolerationSeconds: { type: "integer" },
    },
};

/**
 * A pod template patch (`podTemplate`, an object the CRD leaves open): the platform sets only its
 * scheduling fields, and a typo there would leave a component unschedulable, so they are typed.
 */
const podTemplate = {
    type: "object",
    additionalProperties: false,
    properties: {
        metadata: { type: "object" },
        spec: {
            type: "object",
            properties: { tolerations: { type: "array", items: toleration }, nodeSelector: stringMap, affinity: { type: "object" } },
        },
    },
};

/** `LinstorCluster.spec.{controller,csiController,csiNode,highAvailabilityController}` (ComponentSpec, piraeus-operator v2.3+). */
const componentSpec = {
    type: "object",
    additionalProperties: false,
    properties: { enabled: { type: "boolean" }, podTemplate },
};

export const LINSTOR_CLUSTER_SCHEMA = {
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
        apiVersion: { const: "piraeus.io/v1" },
        kind: { const: "LinstorCluster" },
        metadata,
        spec: {
            type: "object",
            additionalProperties: false,
            properties: {
                nodeSelector: stringMap,
                linstorPassphraseSecret: { type: "string", minLength: 1 },
                controller: componentSpec,
                csiController: componentSpec,
                csiNode: componentSpec,
                highAvailabilityController: componentSpec,
                properties: {
                    type: "array",
                    items: { type: "object", required: ["name"], properties: { name: { type: "string" }, value: { type: "string" } } },
                },
            },
        },
    },
} as const;

const storagePool = {
    type: "object",
    required: ["name"],
    additionalProperties: false,
    properties: {
        name: { type: "string", minLength: 1 },
        lvmThinPool: {
            type: "object",
            additionalProperties: false,
            properties: { volumeGroup: { type: "string" }, thinPool: { type: "string" } },
        },
        lvmPool: { type: "object", properties: { volumeGroup: { type: "string" } } },
        source: { type: "object", additionalProperties: false, properties: { hostDevices: { type: "array", items: { type: "string" } } } },
        properties: { type: "array" },
    },
};

export const LINSTOR_SATELLITE_CONFIGURATION_SCHEMA = {
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
        apiVersion: { const: "piraeus.io/v1" },
        kind: { const: "LinstorSatelliteConfiguration" },
        metadata,
        spec: {
            type: "object",
            additionalProperties: false,
            properties: {
                nodeSelector: stringMap,
                storagePools: { type: "array", items: storagePool },
                podTemplate,
                properties: { type: "array" },
            },
        },
    },
} as const;

export const VOLUME_SNAPSHOT_CLASS_SCHEMA = {
    type: "object",
    required: ["apiVersion", "kind", "metadata", "driver", "deletionPolicy"],
    additionalProperties: false,
    properties: {
        apiVersion: { const: "snapshot.storage.k8s.io/v1" },
        kind: { const: "VolumeSnapshotClass" },
        metadata,
        driver: { type: "string", minLength: 1 },
        deletionPolicy: { enum: ["Delete", "Retain"] },
        parameters: stringMap,
    },
} as const;
