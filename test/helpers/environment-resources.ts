/**
 * One resource of every type of the provider-action map (components/foundation/provider-actions.ts),
 * with the inputs the platform's and the foundation's components give it (names under the
 * environment's prefix, the environment's tags, the workload or supply-chain boundary, the
 * foundation's EKS cluster service role): a plan's resources in the shape the map reads, without
 * planning a stack, so the deploy role's documents can be simulated against every call in a test
 * Stryker can run per mutant. test/components/foundation/deploy-permissions.test.ts keeps it covering
 * every type of the map.
 */
import { supplyChainBoundaryArn, workloadBoundaryArn } from "../../components/foundation/deployer-policies";
import { clusterServiceRoleName } from "../../components/foundation/deploy-permissions";
import { foundationRoleArn } from "../../components/foundation/iam-namespace";
import type { CallScope, PlannedLike } from "../../components/foundation/provider-actions";

/** The scope of environment `environment` (prefix `cip-<environment>`), its org tags under `tagKey`. */
export function environmentScope(environment: string, accountId: string, region: string, tagKey = "environment"): CallScope {
    return {
        accountId,
        region,
        prefix: `cip-${environment}`,
        environmentTags: { [tagKey]: environment, owner: "platform-team", "managed-by": "pulumi" },
    };
}

/** The platform's resources of one environment: one or more of every type a deploy role creates. */
export function platformResources(s: CallScope): PlannedLike[] {
    const p = s.prefix;
    const tags = { ...s.environmentTags };
    const iam = (resource: string): string => `arn:aws:iam::${s.accountId}:${resource}`;
    const regional = (service: string, resource: string): string => `arn:aws:${service}:${s.region}:${s.accountId}:${resource}`;
    const key = regional("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab");
    const ca = regional("acm-pca", "certificate-authority/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    const workload = workloadBoundaryArn(s.accountId, p);
    const r = (type: string, name: string, inputs: Record<string, unknown>): PlannedLike => ({ type, name, inputs });
    return [
        r("pulumi:providers:aws", "default", { region: s.region }),
        // The cluster: pulumi-eks with the foundation's service role, its own OIDC provider, no default security groups.
        r("eks:index:Cluster", `${p}-cluster`, {
            name: p,
            tags,
            serviceRole: foundationRoleArn(s.accountId, clusterServiceRoleName(p)),
            skipDefaultSecurityGroups: true,
            createOidcProvider: true,
            encryptionConfigKeyArn: key,
        }),
        r("aws:eks/addon:Addon", `${p}-ebs-csi`, {
            clusterName: p,
            addonName: "aws-ebs-csi-driver",
            serviceAccountRoleArn: iam(`role/${p}-ebs-csi-0a1b2c3`),
            tags,
        }),
        r("aws:eks/addon:Addon", `${p}-coredns`, { clusterName: p, addonName: "coredns", tags }),
        r("aws:eks/nodeGroup:NodeGroup", `${p}-system`, { clusterName: p, nodeRoleArn: iam(`role/${p}-system-node-0a1b2c3`), tags }),
        r("aws:eks/accessEntry:AccessEntry", `${p}-deploy-access`, {
            clusterName: p,
            principalArn: iam(`role/${p}-karpenter-node-0a1b2c3`),
            tags,
        }),
        r("aws:ec2/launchTemplate:LaunchTemplate", `${p}-storage`, { tags }),
        // A rule on the cluster security group EKS created (tagged aws:eks:cluster-name), tagged itself as the platform's are.
        r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${p}-webhook`, { securityGroupId: "sg-0123456789abcdef0", tags }),
        r("aws:cloudwatch/logGroup:LogGroup", `${p}-cluster-logs`, { name: `/aws/eks/${p}/cluster`, tags }),
        r("aws:cloudwatch/logGroup:LogGroup", `${p}-falco-logs`, { name: `/ciplatform/${p}-falco`, tags }),
        r("aws:cloudwatch/eventRule:EventRule", `${p}-spot-interruption`, { tags }),
        r("aws:cloudwatch/eventTarget:EventTarget", `${p}-spot-interruption`, { rule: `${p}-spot-interruption-0a1b2c3` }),
        r("aws:sqs/queue:Queue", `${p}-interruption`, { name: p, tags }),
        r("aws:sqs/queuePolicy:QueuePolicy", `${p}-interruption`, {
            queueUrl: `https://sqs.${s.region}.amazonaws.com/${s.accountId}/${p}`,
        }),
        r("aws:kms/key:Key", `${p}-ebs`, { tags }),
        r("aws:kms/alias:Alias", `${p}-ebs`, { name: `alias/${p}/ebs`, targetKeyId: key }),
        r("aws:iam/role:Role", `${p}-karpenter-node`, { permissionsBoundary: workload, tags }),
        r("aws:iam/role:Role", `${p}-supply-ci-job`, { permissionsBoundary: supplyChainBoundaryArn(s.accountId, p), tags }),
        r("aws:iam/rolePolicy:RolePolicy", `${p}-karpenter-controller`, { role: `${p}-karpenter-node-0a1b2c3` }),
        r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${p}-karpenter-node-worker`, {
            role: `${p}-karpenter-node-0a1b2c3`,
            policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        }),
        r("aws:iam/user:User", `${p}-jenkins-backup`, { path: "/ciplatform/", permissionsBoundary: workload, tags }),
        r("aws:iam/userPolicy:UserPolicy", `${p}-jenkins-backup`, { user: `${p}-jenkins-backup-0a1b2c3` }),
        r("aws:iam/accessKey:AccessKey", `${p}-jenkins-backup`, { user: `${p}-jenkins-backup-0a1b2c3` }),
        r("aws:s3/bucket:Bucket", `${p}-jenkins-dr`, { tags }),
        ...[
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ].map((type) => r(type, `${p}-jenkins-dr`, { bucket: `${p}-jenkins-dr-0a1b2c3` })),
        r("aws:secretsmanager/secret:Secret", `${p}-jenkins-admin`, { name: `${p}/jenkins/admin`, kmsKeyId: key, tags }),
        r("aws:secretsmanager/secretVersion:SecretVersion", `${p}-jenkins-admin`, {
            secretId: regional("secretsmanager", `secret:${p}/jenkins/admin-AbCdEf`),
        }),
        r("aws:acmpca/certificateAuthority:CertificateAuthority", `${p}-pki`, { tags }),
        r("aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate", `${p}-pki`, { certificateAuthorityArn: ca }),
        r("aws:acmpca/certificate:Certificate", `${p}-pki-root`, { certificateAuthorityArn: ca }),
        r("aws:acmpca/permission:Permission", `${p}-pki-acm`, { certificateAuthorityArn: ca }),
        r("aws:acm/certificate:Certificate", `${p}-ingress`, { certificateAuthorityArn: ca, tags }),
        r("aws:ecr/repository:Repository", `${p}-apps`, {
            name: `${p}/apps`,
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key }],
            tags,
        }),
        r("aws:ecr/lifecyclePolicy:LifecyclePolicy", `${p}-apps`, { repository: `${p}/apps` }),
        r("aws:signer/signingProfile:SigningProfile", `${p}-signing`, { namePrefix: `${p.replace(/-/g, "_")}_`, tags }),
    ];
}

/** The foundation's resources for one environment and the account (created by the administrator): one of every foundation-only type. */
export function foundationResources(s: CallScope): PlannedLike[] {
    const p = s.prefix;
    const tags = { ...s.environmentTags };
    const r = (type: string, name: string, inputs: Record<string, unknown>): PlannedLike => ({ type, name, inputs });
    return [
        r("aws:ec2/vpc:Vpc", `${p}-network`, { tags }),
        r("aws:ec2/subnet:Subnet", `${p}-private-a`, { vpcId: "vpc-0a1b2c3d", tags }),
        r("aws:ec2/internetGateway:InternetGateway", `${p}-igw`, { vpcId: "vpc-0a1b2c3d", tags }),
        r("aws:ec2/eip:Eip", `${p}-nat-a`, { tags }),
        r("aws:ec2/natGateway:NatGateway", `${p}-nat-a`, { subnetId: "subnet-0a1b2c3d", allocationId: "eipalloc-0a1b2c3d", tags }),
        r("aws:ec2/routeTable:RouteTable", `${p}-private-a`, { vpcId: "vpc-0a1b2c3d", tags }),
        r("aws:ec2/routeTableAssociation:RouteTableAssociation", `${p}-private-a`, {
            routeTableId: "rtb-0a1b2c3d",
            subnetId: "subnet-0a1b2c3d",
        }),
        r("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", `${p}-default`, { vpcId: "vpc-0a1b2c3d", tags }),
        r("aws:ec2/flowLog:FlowLog", `${p}-flow-logs`, {
            vpcId: "vpc-0a1b2c3d",
            iamRoleArn: `arn:aws:iam::${s.accountId}:role/ciplatform-foundation/${p}-flow-logs`,
            tags,
        }),
        r("aws:ec2/securityGroup:SecurityGroup", `${p}-runners`, { vpcId: "vpc-0a1b2c3d", tags }),
        r("aws:iam/serviceLinkedRole:ServiceLinkedRole", "eks-nodegroup", { awsServiceName: "eks-nodegroup.amazonaws.com" }),
        r("aws:iam/policy:Policy", `${p}-workload-boundary`, { path: "/ciplatform/", name: `${p}-workload-boundary`, tags }),
        r("aws:codebuild/project:Project", `${p}-runner`, {
            serviceRole: `arn:aws:iam::${s.accountId}:role/ciplatform-foundation/${p}-runner`,
            source: {
                auth: { resource: `arn:aws:codeconnections:${s.region}:${s.accountId}:connection/0a1b2c3d-0000-4000-8000-000000000000` },
            },
            tags,
        }),
        r("aws:codebuild/webhook:Webhook", `${p}-runner`, { projectName: `${p}-runner-0a1b2c3` }),
        r("aws:securityhub/account:Account", "security-hub", {}),
    ];
}
