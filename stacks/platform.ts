import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "../components/cluster/cluster";
import { Karpenter } from "../components/karpenter/karpenter";
import { ExternalSecrets } from "../components/external-secrets/external-secrets";
import { GitlabRunners, JOB_SERVICE_ACCOUNT, runnerNamespace } from "../components/gitlab-runners/gitlab-runners";
import { Jenkins, NAMESPACE as JENKINS_NAMESPACE } from "../components/jenkins/jenkins";
import { Storage } from "../components/storage/storage";
import { StorageNodes } from "../components/storage/nodes";
import { Pki } from "../components/pki/pki";
import { Ingress } from "../components/ingress/ingress";
import { SupplyChain } from "../components/supply-chain/supply-chain";
import { Findings } from "../components/findings/findings";
import { orgTagsTransformation } from "../components/shared/tags";
import { permissionsBoundaryTransformation } from "../components/shared/boundary";
import { supplyChainBoundaryArn, workloadBoundaryArn } from "../components/foundation/deployer-policies";
import { PlatformConfig, orgTags } from "./config";
import type { FoundationEnvironment } from "./environment";

/** Arguments of the platform's root component. */
export interface PlatformArgs {
    /** The validated stack configuration. */
    readonly config: PlatformConfig;
    /** AWS account the stack deploys to (for key and trust policies). */
    readonly accountId: string;
    /** The environment's network, deploy runners and CI roles, from the foundation stack. */
    readonly foundation: FoundationEnvironment;
}

/**
 * Root of every platform stack. Its transformations give every taggable resource below it the org
 * tags in its own `tags` input, where resource policies can see them, and every role and user the
 * environment's workload permissions boundary.
 */
export class Platform extends pulumi.ComponentResource {
    /** The org tags applied to every taggable resource. */
    public readonly orgTags: Record<string, string>;
    /** EKS cluster name. */
    public readonly clusterName: string;
    /** The environment's VPC and subnets (owned by the foundation). */
    public readonly network: FoundationEnvironment["network"];
    /** The EKS cluster; the handle every Kubernetes-side component takes. */
    public readonly cluster: Cluster;
    /** Karpenter and the platform's NodePools. */
    public readonly karpenter: Karpenter;
    /** External Secrets with ABAC: the `SecretsCatalog` other components take their secrets from. */
    public readonly secrets: ExternalSecrets;
    /** Private CA and cert-manager: the `CertificateIssuer` for the platform's TLS. */
    public readonly pki: Pki;
    /** The AWS Load Balancer Controller: internal load balancers for the platform's UIs. */
    public readonly ingress: Ingress;
    /** Signing profile, ECR repositories, CI job role and Kyverno's signed-image admission, when enabled. */
    public readonly supplyChain?: SupplyChain;
    /** Policy Reporter and Falco into Security Hub, when enabled. */
    public readonly findings?: Findings;
    /** GitLab runners per architecture, when enabled. */
    public readonly runners?: GitlabRunners;
    /** The storage node groups (one per zone), when Jenkins is enabled. */
    public readonly storageNodes?: StorageNodes;
    /** Replicated LINSTOR storage with S3 snapshot shipping, when Jenkins is enabled. */
    public readonly storage?: Storage;
    /** Jenkins on replicated storage, when enabled. */
    public readonly jenkins?: Jenkins;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const tags = orgTags(args.config.core);
        super(
            "ciplatform:index:Platform",
            name,
            {},
            {
                ...opts,
                // Every role and user of the environment carries its workload boundary (the foundation creates the policy; the deploy role requires it).
                transformations: [
                    orgTagsTransformation(tags),
                    permissionsBoundaryTransformation(
                        workloadBoundaryArn(args.accountId, `${args.config.core.namePrefix}-${args.config.core.environment}`),
                    ),
                    ...(opts?.transformations ?? []),
                ],
            },
        );
        const { core, cluster, karpenter, secrets, pki, runners, storage, jenkins, supplyChain, findings } = args.config;
        const { region } = args.config;
        const { accountId } = args;
        const protect = core.protectStatefulResources;
        this.orgTags = tags;
        this.clusterName = name;

        // The VPC is the foundation's: the deploy runners live in it, so they exist before the cluster.
        this.network = args.foundation.network;

        // EKS with encrypted Secrets, private endpoint, IRSA, core add-ons and the system node group.
        this.cluster = new Cluster(
            `${name}-cluster`,
            {
                clusterName: this.clusterName,
                region,
                accountId,
                vpcId: this.network.vpcId,
                privateSubnetIds: this.network.privateSubnetIds,
                endpointClientSecurityGroupIds: this.network.runnerSecurityGroupIds,
                previewRoleArn: args.foundation.previewRoleArn,
                serviceRoleName: this.network.clusterServiceRoleName,
                kubernetesVersion: cluster.kubernetesVersion,
                endpointPublicAccess: cluster.endpointPublicAccess,
                publicAccessCidrs: cluster.publicAccessCidrs,
                adminRoleArns: cluster.adminRoleArns,
                logRetentionDays: cluster.logRetentionDays,
                systemNodeInstanceTypes: cluster.systemNodeInstanceTypes,
                systemNodeCount: cluster.systemNodeCount,
                addonVersions: {
                    vpcCni: cluster.vpcCniVersion,
                    kubeProxy: cluster.kubeProxyVersion,
                    coredns: cluster.corednsVersion,
                    ebsCsiDriver: cluster.ebsCsiDriverVersion,
                    podIdentityAgent: cluster.podIdentityAgentVersion,
                },
                kmsDeletionWindowDays: core.kmsDeletionWindowDays,
                protect,
            },
            { parent: this },
        );

        // Karpenter: Graviton preferred over x86, CI pools per architecture (Spot preferred, on-demand fallback).
        this.karpenter = new Karpenter(
            `${name}-karpenter`,
            {
                cluster: this.cluster,
                clusterName: this.clusterName,
                region,
                accountId,
                nodeSecurityGroupId: this.cluster.clusterSecurityGroupId,
                volumeKeyArn: this.cluster.volumeKeyArn,
                chartVersion: karpenter.chartVersion,
                amiAlias: karpenter.amiAlias,
                rootVolumeGiB: karpenter.rootVolumeGiB,
                nodeTags: tags,
                pools: karpenter,
            },
            { parent: this },
        );

        // External Secrets: one ABAC reader role, one store for labelled namespaces.
        this.secrets = new ExternalSecrets(
            `${name}-secrets`,
            {
                cluster: this.cluster,
                region,
                accountId,
                secretNamePrefix: name,
                chartVersion: secrets.chartVersion,
                abacTagKey: core.abacTagKey,
                storeName: secrets.storeName,
                recoveryWindowDays: secrets.recoveryWindowDays,
                kmsDeletionWindowDays: core.kmsDeletionWindowDays,
                protect,
            },
            { parent: this },
        );

        // Private CA (keys in AWS HSMs), cert-manager and the AWS PCA issuer.
        this.pki = new Pki(
            `${name}-pki`,
            {
                cluster: this.cluster,
                region,
                accountId,
                mode: pki.mode,
                parentCaArn: pki.parentCaArn || undefined,
                keyAlgorithm: pki.keyAlgorithm,
                signingAlgorithm: pki.signingAlgorithm,
                commonName: pki.commonName,
                organization: pki.organization,
                validityYears: pki.validityYears,
                revocation: pki.revocation,
                ocspCustomCname: pki.ocspCustomCname || undefined,
                permanentDeletionDays: pki.permanentDeletionDays,
                certManagerChartVersion: pki.certManagerChartVersion,
                issuerChartVersion: pki.issuerChartVersion,
                kmsDeletionWindowDays: core.kmsDeletionWindowDays,
                protect,
            },
            { parent: this },
        );

        // Ingress: the AWS Load Balancer Controller, with its own IRSA role.
        this.ingress = new Ingress(
            `${name}-ingress`,
            {
                cluster: this.cluster,
                clusterName: this.clusterName,
                region,
                accountId,
                vpcId: this.network.vpcId,
                chartVersion: cluster.loadBalancerControllerChartVersion,
            },
            { parent: this },
        );

        // The supply-chain and findings roles carry their own boundary (with the workload boundary it would not fit one managed policy).
        const supplyChainBoundary = permissionsBoundaryTransformation(
            supplyChainBoundaryArn(accountId, `${args.config.core.namePrefix}-${args.config.core.environment}`),
        );
        // Supply chain: images CI builds are signed with the environment's profile, and only signed ones run.
        const runnerName = `${name}-runner`;
        const prod = core.environment === "prod";
        if (supplyChain.enabled) {
            this.supplyChain = new SupplyChain(
                `${name}-supply`,
                {
                    cluster: this.cluster,
                    region,
                    accountId,
                    prefix: name,
                    repositories: supplyChain.repositories,
                    signatureValidityMonths: supplyChain.signatureValidityMonths,
                    keepImages: supplyChain.keepImages,
                    ciJobServiceAccounts: runners.enabled
                        ? runners.architectures.map((arch) => ({ namespace: runnerNamespace(runnerName, arch), name: JOB_SERVICE_ACCOUNT }))
                        : [],
                    runnerJobNamespaces: runners.enabled ? runners.architectures.map((arch) => runnerNamespace(runnerName, arch)) : [],
                    agentNamespaces: jenkins.enabled ? [JENKINS_NAMESPACE] : [],
                    exemptImages: supplyChain.exemptImages,
                    highAvailability: prod,
                    kyvernoChartVersion: supplyChain.kyvernoChartVersion,
                    notationAwsChartVersion: supplyChain.notationAwsChartVersion,
                    kmsDeletionWindowDays: core.kmsDeletionWindowDays,
                    protect,
                },
                { parent: this, dependsOn: [this.karpenter], transformations: [supplyChainBoundary] },
            );
        }

        // Findings: Kyverno's reports and Falco's runtime events into Security Hub.
        if (findings.enabled) {
            this.findings = new Findings(
                `${name}-findings`,
                {
                    cluster: this.cluster,
                    region,
                    accountId,
                    falcoMinimumPriority: findings.falcoMinimumPriority,
                    highAvailability: prod,
                    policyReporterChartVersion: findings.policyReporterChartVersion,
                    falcoChartVersion: findings.falcoChartVersion,
                    falcosidekickChartVersion: findings.falcosidekickChartVersion,
                    reportCrds: this.supplyChain?.ready.slice(0, 1),
                },
                { parent: this, dependsOn: [this.karpenter], transformations: [supplyChainBoundary] },
            );
        }

        // GitLab runners: one per architecture, jobs on spot CI nodes of that architecture.
        if (runners.enabled) {
            this.runners = new GitlabRunners(
                runnerName,
                {
                    cluster: this.cluster,
                    secrets: this.secrets,
                    region,
                    accountId,
                    architectures: runners.architectures,
                    gitlabUrl: runners.gitlabUrl,
                    tokenSecretName: runners.tokenSecretName,
                    chartVersion: runners.chartVersion,
                    concurrent: runners.concurrent,
                    checkInterval: runners.checkInterval,
                    extraTags: runners.extraTags,
                    jobResources: {
                        cpuRequest: runners.jobCpuRequest,
                        cpuLimit: runners.jobCpuLimit,
                        memoryRequest: runners.jobMemoryRequest,
                        memoryLimit: runners.jobMemoryLimit,
                    },
                    cacheExpiryDays: runners.cacheExpiryDays,
                    jobRoleArn: this.supplyChain?.ciJobRoleArn ?? (runners.jobRoleArn || undefined),
                    kmsDeletionWindowDays: core.kmsDeletionWindowDays,
                    protect,
                },
                { parent: this, dependsOn: [this.karpenter] },
            );
        }

        // Jenkins on LINSTOR: a fixed storage node group per zone, replicas across zones, snapshots shipped to S3.
        if (jenkins.enabled) {
            this.storageNodes = new StorageNodes(
                `${name}-storage-nodes`,
                {
                    clusterName: this.clusterName,
                    clusterEndpoint: this.cluster.endpoint,
                    clusterCertificateAuthority: this.cluster.certificateAuthority,
                    zones: this.network.zones,
                    subnetIds: this.network.privateSubnetIds,
                    volumeKeyArn: this.cluster.volumeKeyArn,
                    kubernetesVersion: cluster.kubernetesVersion,
                    amiId: storage.nodeAmiId || undefined,
                    instanceTypes: storage.nodeInstanceTypes,
                    nodesPerZone: storage.nodesPerZone,
                    dataVolumeGiB: storage.nodeDataVolumeGiB,
                    rootVolumeGiB: karpenter.rootVolumeGiB,
                    nodeTags: tags,
                    protect,
                },
                { parent: this, dependsOn: [this.cluster] },
            );
            this.storage = new Storage(
                `${name}-storage`,
                {
                    cluster: this.cluster,
                    secrets: this.secrets,
                    region,
                    accountId,
                    operatorChartVersion: storage.operatorChartVersion,
                    snapshotControllerVersion: storage.snapshotControllerVersion,
                    replicas: storage.replicas,
                    snapshotRetentionDays: storage.snapshotRetentionDays,
                    s3KeyRotation: storage.s3KeyRotation,
                    drNoncurrentVersionDays: storage.drNoncurrentVersionDays,
                    // The cluster's StorageClasses exist before the operator's StorageClass webhook does.
                    createdBefore: [this.cluster],
                    kmsDeletionWindowDays: core.kmsDeletionWindowDays,
                    protect,
                    capacity: [...this.karpenter.ready, this.storageNodes],
                },
                { parent: this, dependsOn: [this.karpenter, this.storageNodes] },
            );
            this.jenkins = new Jenkins(
                `${name}-jenkins`,
                {
                    cluster: this.cluster,
                    secrets: this.secrets,
                    chartVersion: jenkins.chartVersion,
                    hostname: jenkins.hostname,
                    certificateArn: this.pki.loadBalancerCertificate(`${name}-jenkins`, jenkins.hostname),
                    ingressClassName: this.ingress.ingressClassName,
                    ingressReady: this.ingress.ready,
                    storageClass: this.storage.storageClassName,
                    snapshotClass: this.storage.snapshotClassName,
                    storageReady: this.storage.ready,
                    capacity: [...this.karpenter.ready, ...this.storage.ready],
                    homeSizeGiB: jenkins.homeSizeGiB,
                    architectures: karpenter.ciArchitectures,
                    deployRoleArns: jenkins.deployRoleArns,
                    snapshotSchedule: jenkins.snapshotSchedule,
                    // Snapshots are pruned before the DR bucket expires their backups.
                    snapshotRetentionDays: this.storage.snapshotRetentionDays,
                    deleteDataOnDestroy: jenkins.deleteDataOnDestroy,
                    protect,
                },
                { parent: this, dependsOn: [this.storage] },
            );
        }

        this.registerOutputs({ orgTags: this.orgTags, clusterName: this.clusterName });
    }
}
