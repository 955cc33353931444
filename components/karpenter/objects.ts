/**
 * Karpenter v1 objects (`karpenter.sh/v1` NodePool, `karpenter.k8s.aws/v1` EC2NodeClass) built as
 * typed models from pure inputs, so they validate against the upstream schema in tests.
 */
import type { EC2NodeClass } from "@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass";
import type { NodePool } from "@kubernetes-models/karpenter/karpenter.sh/v1/NodePool";
import { Architecture, CapacityType, POOL_LABEL, POOLS, PoolName } from "../shared/interfaces";
import { kubernetesModels } from "../shared/k8s-models";

export interface NodeClassInput {
    readonly name: string;
    /** Node IAM role name (Karpenter creates the instance profile). */
    readonly role: string;
    readonly clusterName: string;
    /** e.g. `al2023@v20261020`. */
    readonly amiAlias: string;
    readonly securityGroupId: string;
    readonly volumeKeyArn: string;
    readonly rootVolumeGiB: number;
    /** Tags for the instances, volumes and ENIs Karpenter launches. */
    readonly tags: Record<string, string>;
}

/**
 * An EC2NodeClass: AL2023, IMDSv2 only with hop limit 1, the root volume encrypted with the CMK.
 * Karpenter nodes are disposable (no data volume): persistent data lives on the storage node groups.
 */
export function ec2NodeClass(input: NodeClassInput): EC2NodeClass {
    return new (kubernetesModels().EC2NodeClass)({
        metadata: { name: input.name },
        spec: {
            role: input.role,
            amiSelectorTerms: [{ alias: input.amiAlias }],
            subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": input.clusterName } }],
            securityGroupSelectorTerms: [{ id: input.securityGroupId }],
            associatePublicIPAddress: false,
            metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [
                {
                    deviceName: "/dev/xvda",
                    rootVolume: true,
                    ebs: {
                        volumeSize: `${input.rootVolumeGiB}Gi`,
                        volumeType: "gp3",
                        encrypted: true,
                        kmsKeyID: input.volumeKeyArn,
                        deleteOnTermination: true,
                    },
                },
            ],
            tags: input.tags,
        },
    });
}

export interface NodePoolInput {
    readonly name: string;
    readonly pool: PoolName;
    readonly nodeClassName: string;
    readonly architectures: readonly Architecture[];
    readonly capacityTypes: readonly CapacityType[];
    /** Higher weight is tried first (1-100). */
    readonly weight: number;
    readonly cpuLimit: number;
    readonly consolidationPolicy: "WhenEmpty" | "WhenEmptyOrUnderutilized";
    readonly consolidateAfter: string;
    /** `Never`, or a duration after which nodes are replaced. */
    readonly expireAfter: string;
    /** Largest share (e.g. `10%`) or count of nodes disrupted at once. */
    readonly disruptionBudget: string;
}

/** A NodePool on the given pool's label and taint, with instance families of current generations. */
export function nodePool(input: NodePoolInput): NodePool {
    const taint = POOLS[input.pool].taint;
    return new (kubernetesModels().NodePool)({
        metadata: { name: input.name },
        spec: {
            weight: input.weight,
            limits: { cpu: String(input.cpuLimit) },
            disruption: {
                consolidationPolicy: input.consolidationPolicy,
                consolidateAfter: input.consolidateAfter,
                budgets: [{ nodes: input.disruptionBudget }],
            },
            template: {
                metadata: { labels: { [POOL_LABEL]: POOLS[input.pool].label } },
                spec: {
                    nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: input.nodeClassName },
                    expireAfter: input.expireAfter,
                    taints: taint ? [{ key: taint.key, value: taint.value, effect: taint.effect }] : [],
                    requirements: [
                        { key: "kubernetes.io/arch", operator: "In", values: [...input.architectures] },
                        { key: "karpenter.sh/capacity-type", operator: "In", values: [...input.capacityTypes] },
                        { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                        { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] },
                        { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["5"] },
                    ],
                },
            },
        },
    });
}

export interface PoolSettings {
    readonly gravitonWeight: number;
    readonly x86Weight: number;
    readonly generalCpuLimit: number;
    readonly ciArchitectures: readonly Architecture[];
    readonly ciWeight: number;
    readonly ciCpuLimit: number;
    readonly ciConsolidateAfter: string;
}

/** Node class names: `default` for the general and CI pools. */
export const NODE_CLASSES = { default: "default" } as const;

/**
 * The platform's NodePools: Graviton preferred over x86 for general work, and CI pools per
 * architecture that admit Spot and on-demand (Karpenter launches Spot whenever a Spot offering is
 * available and falls back to on-demand when Spot is short; only empty nodes are consolidated, so
 * running jobs are never evicted to save money).
 *
 * There is deliberately no storage pool: Karpenter launches nodes only for pending pods, never for
 * DaemonSets such as LINSTOR's satellites, and it consolidates, expires and drifts nodes without
 * knowing about DRBD replicas. Storage nodes are fixed managed node groups (components/storage-nodes.ts).
 */
export function platformNodePools(s: PoolSettings): NodePoolInput[] {
    const general = (name: string, architecture: Architecture, weight: number): NodePoolInput => ({
        name,
        pool: "general",
        nodeClassName: NODE_CLASSES.default,
        architectures: [architecture],
        capacityTypes: ["spot", "on-demand"],
        weight,
        cpuLimit: s.generalCpuLimit,
        consolidationPolicy: "WhenEmptyOrUnderutilized",
        consolidateAfter: "1m",
        expireAfter: "720h",
        disruptionBudget: "10%",
    });
    return [
        general("general-arm64", "arm64", s.gravitonWeight),
        general("general-amd64", "amd64", s.x86Weight),
        ...s.ciArchitectures.map((architecture): NodePoolInput => ({
            name: `ci-${architecture}`,
            pool: "ci",
            nodeClassName: NODE_CLASSES.default,
            architectures: [architecture],
            capacityTypes: ["spot", "on-demand"],
            weight: s.ciWeight,
            cpuLimit: s.ciCpuLimit,
            consolidationPolicy: "WhenEmpty",
            consolidateAfter: s.ciConsolidateAfter,
            expireAfter: "168h",
            disruptionBudget: "20%",
        })),
    ];
}
