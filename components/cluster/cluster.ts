import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PREVIEW_GROUP, previewClusterRoleRules, previewDryRunOnlyPolicy } from "./access";
import { ClusterHandle, POOL_LABEL, POOLS, placementOn } from "../shared/interfaces";
import { ec2TrustPolicy, irsaTrustPolicy, managedPolicyArn, policyDocument, toJson } from "../shared/iam-documents";
import { ebsKeyPolicy, logsKeyPolicy, serviceKeyPolicy } from "../shared/kms-policies";

/** Every EKS control-plane log type: all are shipped. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Arguments of the EKS cluster component. */
/** Pinned versions of the cluster's managed add-ons. */
export interface AddonVersions {
    readonly vpcCni: string;
    readonly kubeProxy: string;
    readonly coredns: string;
    readonly ebsCsiDriver: string;
    readonly podIdentityAgent: string;
}

export interface ClusterArgs {
    /** EKS cluster name (deterministic, so subnets can be tagged for it before it exists). */
    readonly clusterName: string;
    readonly region: string;
    readonly accountId: string;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets for the control plane's ENIs and every node. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Kubernetes minor version. @default "1.33" */
    readonly kubernetesVersion?: string;
    /** Also expose the API endpoint publicly (needs `publicAccessCidrs`). @default false */
    readonly endpointPublicAccess?: boolean;
    /** CIDRs allowed to reach the public endpoint. @default [] */
    readonly publicAccessCidrs?: readonly string[];
    /** IAM roles of people given cluster-admin through access entries (never the creating role: EKS's bootstrap entry already is its admin entry). @default [] */
    readonly adminRoleArns?: readonly string[];
    /** Security groups (the deploy runners') allowed to reach the private API endpoint on 443. @default [] */
    readonly endpointClientSecurityGroupIds?: readonly pulumi.Input<string>[];
    /** Name of an existing EKS cluster service role to use (the foundation's). @default - pulumi-eks creates one */
    readonly serviceRoleName?: string;
    /** The CI preview role: reads and server-side dry runs only (see `access.ts`). @default - no preview access */
    readonly previewRoleArn?: pulumi.Input<string>;
    /** Control-plane log retention in days. @default 90 */
    readonly logRetentionDays?: number;
    /** Graviton instance types of the system node group. @default ["t4g.medium", "t4g.large"] */
    readonly systemNodeInstanceTypes?: readonly string[];
    /** Nodes in the system node group. @default 2 */
    readonly systemNodeCount?: number;
    /** Days before a deleted KMS key is destroyed. @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the keys and the cluster from deletion. @default true */
    readonly protect?: boolean;
    /**
     * Exact versions of the managed add-ons (e.g. `v1.20.1-eksbuild.3`), so an upgrade is a reviewed
     * change; see `aws eks describe-addon-versions --kubernetes-version <version>`.
     */
    readonly addonVersions: AddonVersions;
}

/** Validates cluster arguments before anything is created. */
export function validateClusterArgs(args: Omit<ClusterArgs, "addonVersions">): string[] {
    const problems: string[] = [];
    const cidrs = args.publicAccessCidrs ?? [];
    if (args.endpointPublicAccess && cidrs.length === 0) {
        problems.push("endpointPublicAccess: a public endpoint needs publicAccessCidrs (an explicit allow-list)");
    }
    if (cidrs.includes("0.0.0.0/0")) {
        problems.push('publicAccessCidrs: got "0.0.0.0/0"; list the administering networks instead');
    }
    for (const type of args.systemNodeInstanceTypes ?? []) {
        if (!/^[a-z]+\d+g[a-z]*\./.test(type)) {
            problems.push(`systemNodeInstanceTypes: got ${JSON.stringify(type)}; the system node group is Graviton-only (e.g. t4g.medium)`);
        }
    }
    return problems;
}

/** Placement of EKS add-on pods on the system node group, as add-on configuration values. */
export function systemAddonPlacement(): { nodeSelector: Record<string, string>; tolerations: Array<Record<string, string>> } {
    const placement = placementOn("system");
    return { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations };
}

/**
 * The EKS cluster: Secrets envelope-encrypted with a customer-managed key, API authentication with
 * access entries, a private endpoint by default, every control-plane log to an encrypted log group,
 * IRSA, managed core add-ons, a small tainted Graviton system node group with IMDSv2 only, and an
 * encrypted gp3 default StorageClass.
 */
export class Cluster extends pulumi.ComponentResource implements ClusterHandle {
    /** EKS cluster name. */
    public readonly name: pulumi.Output<string>;
    /** Provider for the cluster's Kubernetes objects. */
    public readonly provider: k8s.Provider;
    /** IAM OIDC provider ARN (IRSA). */
    public readonly oidcProviderArn: pulumi.Output<string>;
    /** OIDC issuer without `https://`. */
    public readonly oidcIssuer: pulumi.Output<string>;
    /** API server endpoint (nodes outside the EKS AMIs' defaults bootstrap against it). */
    public readonly endpoint: pulumi.Output<string>;
    /** Cluster certificate authority, base64 PEM. */
    public readonly certificateAuthority: pulumi.Output<string>;
    /** The cluster security group EKS created (nodes join it). */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** Customer-managed key for EBS volumes (nodes, StorageClasses, data volumes). */
    public readonly volumeKeyArn: pulumi.Output<string>;
    /** Customer-managed key encrypting Kubernetes Secrets. */
    public readonly secretsKeyArn: pulumi.Output<string>;
    /** Name of the default (gp3, encrypted) StorageClass. */
    public readonly defaultStorageClassName: string;
    /** The system node group, the CoreDNS add-on on it and the default StorageClass: releases wait for them. */
    public readonly systemReady: readonly pulumi.Resource[];

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:cluster:Cluster", name, {}, opts);
        const problems = validateClusterArgs(args);
        if (problems.length > 0) {
            throw new Error(`Cluster ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const version = args.kubernetesVersion ?? "1.33";
        const endpointPublicAccess = args.endpointPublicAccess ?? false;
        const publicAccessCidrs = [...(args.publicAccessCidrs ?? [])];
        const adminRoleArns = args.adminRoleArns ?? [];
        const logRetentionDays = args.logRetentionDays ?? 90;
        const instanceTypes = [...(args.systemNodeInstanceTypes ?? ["t4g.medium", "t4g.large"])];
        const nodeCount = args.systemNodeCount ?? 2;
        const deletionWindowInDays = args.kmsDeletionWindowDays ?? 30;
        const protect = args.protect ?? true;
        const keyOpts = { parent: this, protect };

        const secretsKey = new aws.kms.Key(
            `${name}-secrets`,
            {
                description: `${args.clusterName}: envelope encryption of Kubernetes Secrets`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(serviceKeyPolicy(args.accountId, args.region, "eks")),
            },
            keyOpts,
        );
        new aws.kms.Alias(
            `${name}-secrets`,
            { name: `alias/${args.clusterName}/eks-secrets`, targetKeyId: secretsKey.keyId },
            { parent: this },
        );
        const logsKey = new aws.kms.Key(
            `${name}-logs`,
            {
                description: `${args.clusterName}: encrypts control-plane logs`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(logsKeyPolicy(args.accountId, args.region)),
            },
            keyOpts,
        );
        const volumeKey = new aws.kms.Key(
            `${name}-volumes`,
            {
                description: `${args.clusterName}: encrypts node and persistent EBS volumes`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(ebsKeyPolicy(args.accountId, args.region)),
            },
            keyOpts,
        );
        new aws.kms.Alias(`${name}-volumes`, { name: `alias/${args.clusterName}/ebs`, targetKeyId: volumeKey.keyId }, { parent: this });

        // EKS writes to this group; creating it first lets us set encryption and retention.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-control-plane`,
            { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: logRetentionDays, kmsKeyId: logsKey.arn },
            { parent: this },
        );

        // Read, not created: the deploy role only passes it (named after the role, so its URN names it too).
        const serviceRole = args.serviceRoleName
            ? aws.iam.Role.get(args.serviceRoleName, args.serviceRoleName, undefined, { parent: this })
            : undefined;
        const cluster = new eks.Cluster(
            `${name}-eks`,
            {
                name: args.clusterName,
                version,
                vpcId: args.vpcId,
                privateSubnetIds: args.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess,
                publicAccessCidrs: endpointPublicAccess ? publicAccessCidrs : undefined,
                authenticationMode: eks.AuthenticationMode.Api,
                // The creating (deploy) role is admin through EKS's bootstrap entry; these entries are for people and the preview role.
                accessEntries: {
                    ...Object.fromEntries(
                        adminRoleArns.map((arn) => [
                            `admin-${arn.split("/").pop() ?? arn}`,
                            {
                                principalArn: arn,
                                accessPolicies: {
                                    clusterAdmin: {
                                        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                                        accessScope: { type: "cluster" },
                                    },
                                },
                            },
                        ]),
                    ),
                    ...(args.previewRoleArn
                        ? { preview: { principalArn: args.previewRoleArn, kubernetesGroups: [PREVIEW_GROUP], type: "STANDARD" } }
                        : {}),
                },
                encryptionConfigKeyArn: secretsKey.arn,
                serviceRole,
                enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
                createOidcProvider: true,
                skipDefaultNodeGroup: true,
                skipDefaultSecurityGroups: true,
                // Core add-ons are managed below with their own IRSA roles and placement.
                bootstrapSelfManagedAddons: false,
                useDefaultVpcCni: true,
                corednsAddonOptions: { enabled: false },
                kubeProxyAddonOptions: { enabled: false },
                storageClasses: {},
                deletionProtection: protect,
            },
            { parent: this, dependsOn: [logGroup] },
        );

        // The name as the cluster's output, not the configured string: whatever names the cluster by it
        // (access entries, add-ons, node groups) then waits for the cluster to exist.
        this.name = cluster.eksCluster.name;
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcIssuer = cluster.oidcIssuer;
        this.clusterSecurityGroupId = cluster.eksCluster.vpcConfig.clusterSecurityGroupId;
        this.endpoint = cluster.eksCluster.endpoint;
        this.certificateAuthority = cluster.eksCluster.certificateAuthority.apply((ca) => ca.data);
        this.volumeKeyArn = volumeKey.arn;
        this.secretsKeyArn = secretsKey.arn;
        const clusterName = cluster.eksCluster.name;

        // The deploy runners sit in the VPC but not in the cluster's security group: admit them to the endpoint.
        const endpointRules = (args.endpointClientSecurityGroupIds ?? []).map(
            (sourceSecurityGroupId, index) =>
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-endpoint-from-runners-${index}`,
                    {
                        description: "Kubernetes API from the deploy runners",
                        securityGroupId: this.clusterSecurityGroupId,
                        referencedSecurityGroupId: sourceSecurityGroupId,
                        ipProtocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                    },
                    { parent: this },
                ),
        );

        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: cluster.kubeconfigJson, enableServerSideApply: true },
            // The deploy runners reach the private endpoint only once their rule exists: every
            // Kubernetes object (through this provider) waits for it.
            { parent: this, dependsOn: endpointRules },
        );
        // The preview role: reads and dry runs, enforced by admission because RBAC cannot tell a dry run from a write.
        if (args.previewRoleArn) {
            const k8sOpts = { parent: this, provider: this.provider, dependsOn: [cluster] };
            const role = new k8s.rbac.v1.ClusterRole(
                `${name}-preview`,
                { metadata: { name: "ciplatform:preview" }, rules: previewClusterRoleRules() },
                k8sOpts,
            );
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-preview`,
                {
                    metadata: { name: "ciplatform:preview" },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: PREVIEW_GROUP }],
                },
                k8sOpts,
            );
            const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                `${name}-preview-dry-run-only`,
                previewDryRunOnlyPolicy("ciplatform-preview-dry-run-only"),
                k8sOpts,
            );
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                `${name}-preview-dry-run-only`,
                {
                    metadata: { name: "ciplatform-preview-dry-run-only" },
                    spec: { policyName: policy.metadata.name, validationActions: ["Deny"] },
                },
                k8sOpts,
            );
        }

        const irsaRole = (key: string, namespace: string, serviceAccount: string, managedPolicies: string[]): aws.iam.Role => {
            const role = new aws.iam.Role(
                `${name}-${key}`,
                {
                    description: `${args.clusterName}: IRSA role of ${namespace}/${serviceAccount}`,
                    assumeRolePolicy: toJson(
                        pulumi
                            .all([cluster.oidcProviderArn, cluster.oidcIssuer])
                            .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, namespace, serviceAccount)),
                    ),
                },
                { parent: this },
            );
            for (const policy of managedPolicies) {
                new aws.iam.RolePolicyAttachment(
                    `${name}-${key}-${policy}`,
                    { role: role.name, policyArn: managedPolicyArn(policy) },
                    { parent: this },
                );
            }
            return role;
        };

        // System node group: Graviton, on-demand, tainted for critical add-ons, IMDSv2 only.
        const nodeRole = new aws.iam.Role(
            `${name}-system-node`,
            { description: `${args.clusterName}: system node group`, assumeRolePolicy: toJson(ec2TrustPolicy()) },
            { parent: this },
        );
        for (const policy of ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"]) {
            new aws.iam.RolePolicyAttachment(
                `${name}-system-node-${policy}`,
                { role: nodeRole.name, policyArn: managedPolicyArn(policy) },
                { parent: this },
            );
        }
        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-system`,
            {
                description: `${args.clusterName}: system node group (IMDSv2 only, encrypted gp3 root)`,
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: { volumeSize: 30, volumeType: "gp3", encrypted: "true", kmsKeyId: volumeKey.arn, deleteOnTermination: "true" },
                    },
                ],
                updateDefaultVersion: true,
            },
            { parent: this },
        );
        // Managed core add-ons; those that call AWS get their own IRSA role.
        const cniRole = irsaRole("vpc-cni", "kube-system", "aws-node", ["AmazonEKS_CNI_Policy"]);
        const ebsRole = irsaRole("ebs-csi", "kube-system", "ebs-csi-controller-sa", ["service-role/AmazonEBSCSIDriverPolicy"]);
        new aws.iam.RolePolicy(
            `${name}-ebs-csi-kms`,
            {
                role: ebsRole.name,
                policy: toJson(
                    policyDocument(
                        {
                            Sid: "UseVolumeKey",
                            Effect: "Allow",
                            Action: [
                                "kms:Decrypt",
                                "kms:DescribeKey",
                                "kms:Encrypt",
                                "kms:GenerateDataKeyWithoutPlaintext",
                                "kms:ReEncryptFrom",
                                "kms:ReEncryptTo",
                            ],
                            Resource: volumeKey.arn,
                        },
                        {
                            Sid: "GrantVolumeKeyToEbs",
                            Effect: "Allow",
                            Action: "kms:CreateGrant",
                            Resource: volumeKey.arn,
                            Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
                        },
                    ),
                ),
            },
            { parent: this },
        );
        const addon = (addonName: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []): aws.eks.Addon =>
            new aws.eks.Addon(
                `${name}-${addonName}`,
                { clusterName, addonName, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE", ...extra },
                { parent: this, dependsOn },
            );
        // Pod networking first: nodes that join before the VPC CNI runs stay NotReady.
        const vpcCni = addon("vpc-cni", { addonVersion: args.addonVersions.vpcCni, serviceAccountRoleArn: cniRole.arn });
        const kubeProxy = addon("kube-proxy", { addonVersion: args.addonVersions.kubeProxy });
        addon("eks-pod-identity-agent", { addonVersion: args.addonVersions.podIdentityAgent });

        const systemTaint = POOLS.system.taint;
        const nodeGroup = new aws.eks.NodeGroup(
            `${name}-system`,
            {
                clusterName,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                amiType: "AL2023_ARM_64_STANDARD",
                capacityType: "ON_DEMAND",
                instanceTypes,
                scalingConfig: { minSize: nodeCount, desiredSize: nodeCount, maxSize: nodeCount + 1 },
                updateConfig: { maxUnavailable: 1 },
                labels: { [POOL_LABEL]: POOLS.system.label },
                taints: [{ key: systemTaint.key, value: systemTaint.value, effect: "NO_SCHEDULE" }],
                launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
            },
            { parent: this, dependsOn: [vpcCni, kubeProxy] },
        );

        // Add-ons whose pods run on the system nodes wait for them.
        const coredns = addon(
            "coredns",
            { addonVersion: args.addonVersions.coredns, configurationValues: JSON.stringify(systemAddonPlacement()) },
            [nodeGroup],
        );
        addon(
            "aws-ebs-csi-driver",
            {
                addonVersion: args.addonVersions.ebsCsiDriver,
                serviceAccountRoleArn: ebsRole.arn,
                configurationValues: JSON.stringify({ controller: systemAddonPlacement() }),
            },
            [nodeGroup],
        );

        this.defaultStorageClassName = "gp3-encrypted";
        const defaultStorageClass = new k8s.storage.v1.StorageClass(
            `${name}-gp3`,
            {
                metadata: { name: this.defaultStorageClassName, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
                provisioner: "ebs.csi.aws.com",
                parameters: { type: "gp3", encrypted: "true", kmsKeyId: volumeKey.arn },
                volumeBindingMode: "WaitForFirstConsumer",
                reclaimPolicy: "Delete",
                allowVolumeExpansion: true,
            },
            { parent: this, provider: this.provider },
        );

        // Pods need a node to run on and, to reach AWS and each other by name, CoreDNS running on it.
        // The default StorageClass comes first too: a release that registers a StorageClass webhook
        // (piraeus' vstorageclass, failurePolicy Fail) would otherwise reject it while its pods start.
        this.systemReady = [nodeGroup, coredns, defaultStorageClass];

        this.registerOutputs({
            name: this.name,
            oidcProviderArn: this.oidcProviderArn,
            oidcIssuer: this.oidcIssuer,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            endpoint: this.endpoint,
            certificateAuthority: this.certificateAuthority,
            volumeKeyArn: this.volumeKeyArn,
            secretsKeyArn: this.secretsKeyArn,
            defaultStorageClassName: this.defaultStorageClassName,
        });
    }
}
