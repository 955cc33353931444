import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ARCHITECTURES, Architecture, ClusterHandle, placementOn } from "../shared/interfaces";
import { ChartSpec, mergeValues, releaseArgs, Values } from "../shared/helm";
import { ec2TrustPolicy, irsaTrustPolicy, managedPolicyArn, toJson } from "../shared/iam-documents";
import { INTERRUPTION_RULES, interruptionQueuePolicy, karpenterControllerPolicies } from "./policy";
import { ec2NodeClass, NODE_CLASSES, nodePool, platformNodePools, PoolSettings } from "./objects";

/** Karpenter's charts (the CRD chart is installed first, separately, so CRDs upgrade with it). */
export const KARPENTER_CHARTS = {
    controller: { chart: "karpenter", repository: "oci://public.ecr.aws/karpenter" },
    crds: { chart: "karpenter-crd", repository: "oci://public.ecr.aws/karpenter" },
} as const;

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "karpenter";

/** Arguments of the Karpenter component. */
export interface KarpenterArgs {
    /** The cluster Karpenter provisions nodes for. */
    readonly cluster: ClusterHandle;
    readonly clusterName: string;
    readonly region: string;
    readonly accountId: string;
    /** Security group nodes join (the EKS cluster security group). */
    readonly nodeSecurityGroupId: pulumi.Input<string>;
    /** KMS key every node volume is encrypted with. */
    readonly volumeKeyArn: pulumi.Input<string>;
    /** Exact version of the karpenter and karpenter-crd charts. */
    readonly chartVersion: string;
    /** AL2023 AMI alias, e.g. `al2023@v20261020`. */
    readonly amiAlias: string;
    /** Root volume size of every node, GiB. @default 50 */
    readonly rootVolumeGiB?: number;
    /** Tags for every instance and volume Karpenter launches. @default {} */
    readonly nodeTags?: Record<string, string>;
    /** Pool weights and limits. @default - graviton 100, x86 10, CI arm64+amd64 */
    readonly pools?: Partial<PoolSettings>;
    /** Helm values merged last over the computed ones. @default {} */
    readonly values?: Values;
}

const DEFAULT_POOLS: PoolSettings = {
    gravitonWeight: 100,
    x86Weight: 10,
    generalCpuLimit: 200,
    ciArchitectures: ["arm64", "amd64"],
    ciWeight: 50,
    ciCpuLimit: 400,
    ciConsolidateAfter: "1m",
};

/** Validates Karpenter arguments; messages name the argument, the value and what is allowed. */
export function validateKarpenterArgs(args: Pick<KarpenterArgs, "pools" | "amiAlias" | "chartVersion">): string[] {
    const pools = { ...DEFAULT_POOLS, ...args.pools };
    const problems: string[] = [];
    for (const [key, value] of Object.entries({
        gravitonWeight: pools.gravitonWeight,
        x86Weight: pools.x86Weight,
        ciWeight: pools.ciWeight,
    })) {
        if (!Number.isInteger(value) || value < 1 || value > 100) {
            problems.push(`pools.${key}: got ${value}; a NodePool weight is an integer from 1 to 100`);
        }
    }
    if (pools.gravitonWeight <= pools.x86Weight) {
        problems.push(
            `pools.gravitonWeight: got ${pools.gravitonWeight}; must exceed x86Weight (${pools.x86Weight}) so Graviton is preferred`,
        );
    }
    for (const arch of pools.ciArchitectures) {
        if (!(ARCHITECTURES as readonly string[]).includes(arch)) {
            problems.push(`pools.ciArchitectures: got ${JSON.stringify(arch)}; allowed: ${ARCHITECTURES.join(", ")}`);
        }
    }
    if (!/^al2023@(latest|v\d{8})$/.test(args.amiAlias)) {
        problems.push(`amiAlias: got ${JSON.stringify(args.amiAlias)}; use al2023@latest or al2023@vYYYYMMDD`);
    }
    if (!/^\d+\.\d+\.\d+$/.test(args.chartVersion)) {
        problems.push(`chartVersion: got ${JSON.stringify(args.chartVersion)}; pin an exact version such as 1.14.1`);
    } else {
        // The controller policy (policy.ts) reaches instance profiles only under /karpenter/<region>/<cluster>/, the path
        // Karpenter creates them at since v1.7.0 (karpenter-provider-aws v1.7.0 pkg/providers/instanceprofile/instanceprofile.go
        // `Create`); earlier versions create them at `/`, where CreateInstanceProfile is denied and no node ever launches.
        const [major, minor] = args.chartVersion.split(".").map(Number);
        if (major < 1 || (major === 1 && minor < 7)) {
            problems.push(
                `chartVersion: got ${JSON.stringify(args.chartVersion)}; use 1.7.0 or later (instance profiles under /karpenter/<region>/<cluster>/, which the controller policy requires)`,
            );
        }
    }
    return problems;
}

/** Chart values: cluster, interruption queue name, IRSA role, two replicas on the system nodes. */
export function buildKarpenterValues(args: { clusterName: string; interruptionQueueName: string; controllerRoleArn: string }): Values {
    const placement = placementOn("system");
    return {
        replicas: 2,
        settings: { clusterName: args.clusterName, interruptionQueue: args.interruptionQueueName },
        serviceAccount: { name: SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": args.controllerRoleArn } },
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        controller: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
    };
}

/**
 * Karpenter on the v1 API: its controller role scoped like the upstream reference, a node role
 * with an EC2_LINUX access entry, the interruption queue fed by EventBridge, the charts, the
 * EC2NodeClasses and the platform's NodePools.
 */
export class Karpenter extends pulumi.ComponentResource {
    /** IAM role nodes launched by Karpenter assume. */
    public readonly nodeRoleArn: pulumi.Output<string>;
    /** Name of the SQS queue interruption events arrive on. */
    public readonly interruptionQueueName: pulumi.Output<string>;
    /** NodePool names, e.g. `general-arm64`, `ci-amd64`. */
    public readonly nodePoolNames: string[];
    /** Architectures that have a CI pool. */
    public readonly ciArchitectures: readonly Architecture[];
    /** The NodePools (and, through them, the controller and node classes): releases whose pods run on Karpenter's nodes wait for them. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:karpenter:Karpenter", name, {}, opts);
        const problems = validateKarpenterArgs(args);
        if (problems.length > 0) {
            throw new Error(`Karpenter ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const pools: PoolSettings = { ...DEFAULT_POOLS, ...args.pools };
        const rootVolumeGiB = args.rootVolumeGiB ?? 50;
        const nodeTags = args.nodeTags ?? {};
        const k8sOpts = { parent: this, provider: args.cluster.provider };

        const nodeRole = new aws.iam.Role(
            `${name}-node`,
            { description: `${args.clusterName}: nodes launched by Karpenter`, assumeRolePolicy: toJson(ec2TrustPolicy()) },
            { parent: this },
        );
        for (const policy of ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"]) {
            new aws.iam.RolePolicyAttachment(
                `${name}-node-${policy}`,
                { role: nodeRole.name, policyArn: managedPolicyArn(policy) },
                { parent: this },
            );
        }
        const accessEntry = new aws.eks.AccessEntry(
            `${name}-node`,
            { clusterName: args.cluster.name, principalArn: nodeRole.arn, type: "EC2_LINUX" },
            { parent: this },
        );

        const queue = new aws.sqs.Queue(
            `${name}-interruptions`,
            { name: args.clusterName, messageRetentionSeconds: 300, sqsManagedSseEnabled: true },
            { parent: this },
        );
        new aws.sqs.QueuePolicy(
            `${name}-interruptions`,
            { queueUrl: queue.url, policy: toJson(queue.arn.apply(interruptionQueuePolicy)) },
            { parent: this },
        );
        for (const [rule, pattern] of Object.entries(INTERRUPTION_RULES)) {
            const eventRule = new aws.cloudwatch.EventRule(
                `${name}-${rule}`,
                { description: `Karpenter interruption: ${pattern["detail-type"][0]}`, eventPattern: JSON.stringify(pattern) },
                { parent: this },
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${rule}`,
                { rule: eventRule.name, arn: queue.arn, targetId: "KarpenterInterruptionQueueTarget" },
                { parent: this },
            );
        }

        const controllerRole = new aws.iam.Role(
            `${name}-controller`,
            {
                description: `${args.clusterName}: Karpenter controller (IRSA)`,
                assumeRolePolicy: toJson(
                    pulumi
                        .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
                        .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, NAMESPACE, SERVICE_ACCOUNT)),
                ),
            },
            { parent: this },
        );
        const policies = pulumi
            .all([nodeRole.arn, queue.arn, pulumi.output(args.volumeKeyArn)])
            .apply(([nodeRoleArn, interruptionQueueArn, volumeKeyArn]) =>
                karpenterControllerPolicies({
                    region: args.region,
                    accountId: args.accountId,
                    clusterName: args.clusterName,
                    nodeRoleArn,
                    interruptionQueueArn,
                    volumeKeyArn,
                }),
            );
        const controllerPolicies = ["node-lifecycle", "iam-integration", "eks-integration", "interruption", "resource-discovery"].map(
            (purpose) =>
                new aws.iam.RolePolicy(
                    `${name}-controller-${purpose}`,
                    { role: controllerRole.name, policy: toJson(policies.apply((p) => p[purpose])) },
                    { parent: this },
                ),
        );

        const crds = new k8s.helm.v3.Release(
            `${name}-crds`,
            releaseArgs({ ...KARPENTER_CHARTS.crds, version: args.chartVersion }, NAMESPACE, {}),
            k8sOpts,
        );
        const controllerChart: ChartSpec = { ...KARPENTER_CHARTS.controller, version: args.chartVersion };
        const values = pulumi
            .all([queue.name, controllerRole.arn])
            .apply(([interruptionQueueName, controllerRoleArn]) =>
                mergeValues(buildKarpenterValues({ clusterName: args.clusterName, interruptionQueueName, controllerRoleArn }), args.values),
            );
        const controller = new k8s.helm.v3.Release(
            `${name}-controller`,
            { ...releaseArgs(controllerChart, NAMESPACE, values), skipCrds: true },
            // The controller runs on the system nodes (it cannot run on nodes it launches) and needs CoreDNS to reach AWS.
            { ...k8sOpts, dependsOn: [crds, accessEntry, ...controllerPolicies, ...args.cluster.systemReady] },
        );

        const nodeClassOpts = { ...k8sOpts, dependsOn: [controller] };
        for (const [key, className] of Object.entries(NODE_CLASSES)) {
            const object = pulumi.all([nodeRole.name, pulumi.output(args.nodeSecurityGroupId), pulumi.output(args.volumeKeyArn)]).apply(
                ([role, securityGroupId, volumeKeyArn]) =>
                    ec2NodeClass({
                        name: className,
                        role,
                        clusterName: args.clusterName,
                        amiAlias: args.amiAlias,
                        securityGroupId,
                        volumeKeyArn,
                        rootVolumeGiB,
                        tags: nodeTags,
                    }).spec,
            );
            new k8s.apiextensions.CustomResource(
                `${name}-nodeclass-${key}`,
                { apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass", metadata: { name: className }, spec: object },
                nodeClassOpts,
            );
        }

        const poolInputs = platformNodePools(pools);
        this.ready = [];
        for (const input of poolInputs) {
            const object = nodePool(input);
            const pool = new k8s.apiextensions.CustomResource(
                `${name}-nodepool-${input.name}`,
                { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: input.name }, spec: object.spec },
                nodeClassOpts,
            );
            this.ready.push(pool);
        }

        this.nodeRoleArn = nodeRole.arn;
        this.interruptionQueueName = queue.name;
        this.nodePoolNames = poolInputs.map((p) => p.name);
        this.ciArchitectures = pools.ciArchitectures;
        this.registerOutputs({
            nodeRoleArn: this.nodeRoleArn,
            interruptionQueueName: this.interruptionQueueName,
            nodePoolNames: this.nodePoolNames,
            ciArchitectures: this.ciArchitectures,
        });
    }
}
