import { strict as assert } from "node:assert";
import { AnalyzerInput, platformPolicyConfig, PolicyPackConfig, Violation } from "../../tools/offline/analyzer";
import { analyzeResources } from "../helpers/pack";
import { UNKNOWN_VALUE } from "../../tools/offline/wire";
import { policies } from "../../policypack/policies";
import { iamPolicySize } from "../../policypack/lib/aws-quotas";
import { DENY_PLAIN_HTTP, policyJson as doc } from "../helpers/policy-json";

const TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

interface Fixture {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly dependsOn?: string[];
    readonly provider?: Record<string, unknown>;
}

const urnOf = (f: Pick<Fixture, "type" | "name">) => `urn:pulumi:dev::ciplatform::${f.type}::${f.name}`;

function toInput(f: Fixture): AnalyzerInput {
    return {
        urn: urnOf(f),
        type: f.type,
        name: f.name,
        properties: f.inputs,
        parent: null,
        protect: false,
        dependsOn: f.dependsOn ?? [],
        provider: f.provider
            ? {
                  urn: "urn:pulumi:dev::ciplatform::pulumi:providers:aws::tagged",
                  type: "pulumi:providers:aws",
                  name: "tagged",
                  properties: f.provider,
              }
            : undefined,
    };
}

async function findings(
    policy: string,
    fixtures: Fixture[],
    config: PolicyPackConfig = {},
    stackTags: Record<string, string> = {},
): Promise<string[]> {
    const violations: Violation[] = await analyzeResources(fixtures.map(toInput), config, { tags: stackTags });
    return violations.filter((v) => v.policy === policy).map((v) => v.message);
}

const queue = (name: string, inputs: Record<string, unknown> = {}): Fixture => ({
    type: "aws:sqs/queue:Queue",
    name,
    inputs: { sqsManagedSseEnabled: true, tags: TAGS, ...inputs },
});
const rolePolicy = (name: string, policy: string, role = "app-role"): Fixture => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name,
    inputs: { role, policy },
});
const role = (name: string, assumeRolePolicy: string): Fixture => ({
    type: "aws:iam/role:Role",
    name,
    inputs: { assumeRolePolicy, tags: TAGS },
});
const k8s = (group: string, kind: string, name: string, spec: Record<string, unknown>, apiVersion = group): Fixture => ({
    type: `kubernetes:${group}:${kind}`,
    name,
    inputs: { apiVersion, kind, metadata: { name }, spec },
});

const accessKey: Fixture = { type: "aws:iam/accessKey:AccessKey", name: "ci-user", inputs: { user: "ci" } };
const namespace = (name: string, level: string): Fixture => ({
    type: "kubernetes:core/v1:Namespace",
    name: `${name}-ns`,
    inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level } } },
});
const workload = (apiVersion: string, kind: string, name: string, ns: string, spec: Record<string, unknown>): Fixture => ({
    type: `kubernetes:${apiVersion}:${kind}`,
    name,
    inputs: { apiVersion, kind, metadata: { name, namespace: ns }, spec },
});
const RESTRICTED_CONTAINER = {
    name: "app",
    image: "app:1",
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
};
const RESTRICTED_POD = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [RESTRICTED_CONTAINER],
};

interface Case {
    readonly policy: string;
    readonly pass: Fixture[];
    readonly fail: Array<{
        readonly what: string;
        readonly fixtures: Fixture[];
        readonly messages: string[];
        readonly config?: PolicyPackConfig;
        readonly stackTags?: Record<string, string>;
    }>;
    readonly passConfig?: PolicyPackConfig;
}

const nodeClassSpec = {
    amiSelectorTerms: [{ alias: "al2023@v20261020" }],
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: true, kmsKeyID: KEY } }],
};
const irsaTrust = (sub: string, aud?: string) =>
    doc({
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: {
                "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": sub,
                ...(aud ? { "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": aud } : {}),
            },
        },
    });

const GITHUB = "token.actions.githubusercontent.com";
const GITLAB = "gitlab.com";
const oidcTrust = (issuer: string, Condition: Record<string, Record<string, string | string[]>>) =>
    doc({
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition,
    });
/** A policy document of exactly `size` characters as IAM counts them (checked against lib/aws-quotas.ts's iamPolicySize). */
function sizedPolicy(size: number): string {
    const base = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/" }] };
    const padding = size - JSON.stringify(base).length;
    base.Statement[0].Resource += "x".repeat(padding);
    const text = JSON.stringify(base, null, 2);
    assert.equal(iamPolicySize(text), size);
    return text;
}
function sizedTrust(size: number): string {
    const base = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole", Sid: "" }],
    };
    base.Statement[0].Sid = "S".repeat(size - JSON.stringify(base).length);
    const text = JSON.stringify(base);
    assert.equal(iamPolicySize(text), size);
    return text;
}

const CASES: Case[] = [
    {
        policy: "aws-resource-require-org-tags",
        pass: [
            queue("tagged"),
            { ...queue("by-provider"), inputs: { sqsManagedSseEnabled: true }, provider: { defaultTags: { tags: TAGS } } },
        ],
        fail: [
            {
                what: "a missing org tag",
                fixtures: [queue("q", { tags: { ...TAGS, owner: "" } })],
                messages: ['aws:sqs/queue:Queue "q" is missing org tags "owner": set them in its tags input.'],
            },
        ],
    },
    {
        policy: "secretsmanager-secret-require-abac-tag",
        pass: [{ type: "aws:secretsmanager/secret:Secret", name: "s", inputs: { kmsKeyId: KEY, tags: { ...TAGS, ekssecret: "team-a" } } }],
        fail: [
            {
                what: "no ABAC tag",
                fixtures: [{ type: "aws:secretsmanager/secret:Secret", name: "s", inputs: { kmsKeyId: KEY, tags: TAGS } }],
                messages: ['secret "s" has no ABAC tag "ekssecret": tag it with the namespace allowed to read it.'],
            },
        ],
    },
    {
        policy: "iam-policy-require-abac-condition",
        pass: [
            rolePolicy(
                "reader",
                doc({
                    Effect: "Allow",
                    Action: ["secretsmanager:GetSecretValue"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:ResourceTag/ekssecret": "${aws:PrincipalTag/esoNamespace}" } },
                }),
            ),
        ],
        fail: [
            {
                what: "a broad grant without the tag condition",
                fixtures: [
                    rolePolicy(
                        "reader",
                        doc({ Sid: "Read", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "kms:Decrypt"], Resource: "*" }),
                    ),
                ],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "reader" policy statement "Read" grants secretsmanager:GetSecretValue, kms:Decrypt on "*" without the ABAC condition: add StringEquals aws:ResourceTag/ekssecret = ${aws:PrincipalTag/...}.',
                ],
            },
        ],
    },
    {
        policy: "iam-role-constrain-tag-session",
        pass: [
            role(
                "reader",
                doc({
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:role/eso" },
                    Action: "sts:TagSession",
                    Condition: {
                        "ForAllValues:StringEquals": { "aws:TagKeys": ["esoNamespace"] },
                        StringLike: { "aws:RequestTag/esoNamespace": "?*" },
                    },
                }),
            ),
            role(
                "pod-identity",
                doc({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }),
            ),
        ],
        fail: [
            {
                what: "unconstrained session tags",
                fixtures: [
                    role(
                        "reader",
                        doc({
                            Effect: "Allow",
                            Principal: { AWS: "arn:aws:iam::123456789012:role/eso" },
                            Action: ["sts:AssumeRole", "sts:TagSession"],
                        }),
                    ),
                ],
                messages: [
                    'role "reader" trust statement 1 allows sts:TagSession with any tag keys: add ForAllValues:StringEquals aws:TagKeys with the expected keys.',
                    'role "reader" trust statement 1 allows sts:TagSession with any tag values: constrain aws:RequestTag/<key> for the expected keys.',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-deny-abac-tag-changes",
        // The pack names no admin role by default: the platform's deploy role is one in policy-config.json.
        passConfig: { "iam-policy-deny-abac-tag-changes": { adminRoles: ["*-deployer-deploy-*"] } },
        pass: [
            rolePolicy(
                "tagger",
                doc({
                    Effect: "Allow",
                    Action: "secretsmanager:TagResource",
                    Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/*",
                    Condition: { "ForAllValues:StringNotEquals": { "aws:TagKeys": ["ekssecret"] } },
                }),
            ),
            rolePolicy(
                "deploy",
                doc({
                    Effect: "Allow",
                    Action: "secretsmanager:TagResource",
                    Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cip-dev/*",
                }),
                "cip-deployer-deploy-dev-1a2b3c4",
            ),
        ],
        fail: [
            {
                what: "a non-admin that may retag secrets",
                fixtures: [
                    rolePolicy(
                        "tagger",
                        doc({
                            Effect: "Allow",
                            Action: ["secretsmanager:TagResource", "iam:TagRole"],
                            Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/*",
                        }),
                    ),
                ],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "tagger" policy statement 1 may change ABAC tags (secretsmanager:TagResource, iam:TagRole): add ForAllValues:StringNotEquals aws:TagKeys [ekssecret] or list the role in adminRoles.',
                ],
            },
        ],
    },
    {
        policy: "externalsecrets-store-deny-tenant-session-tags",
        pass: [
            k8s("external-secrets.io/v1", "ClusterSecretStore", "platform", {
                provider: { aws: { service: "SecretsManager", region: "eu-west-1", role: "r", sessionTagsPolicy: "Simple" } },
            }),
        ],
        fail: [
            {
                what: "a namespaced store choosing its own tags",
                fixtures: [
                    k8s("external-secrets.io/v1", "SecretStore", "tenant", {
                        provider: {
                            aws: {
                                service: "SecretsManager",
                                region: "eu-west-1",
                                role: "r",
                                sessionTags: [{ key: "esoNamespace", value: "other" }],
                            },
                        },
                    }),
                ],
                messages: ['SecretStore "tenant" sets session tags in a namespace tenants can edit: use the platform ClusterSecretStore.'],
            },
            {
                what: "custom tags overriding ESO's",
                fixtures: [
                    k8s("external-secrets.io/v1", "ClusterSecretStore", "custom", {
                        provider: {
                            aws: {
                                service: "SecretsManager",
                                region: "eu-west-1",
                                sessionTagsPolicy: "Custom",
                                customSessionTags: { esoNamespace: "x" },
                            },
                        },
                    }),
                ],
                messages: ['ClusterSecretStore "custom" overrides ESO\'s tags esoNamespace in customSessionTags: remove them.'],
            },
        ],
    },
    {
        policy: "eks-cluster-require-secrets-encryption",
        pass: [
            { type: "eks:index:Cluster", name: "c", inputs: { encryptionConfigKeyArn: KEY, tags: TAGS } },
            {
                type: "aws:eks/cluster:Cluster",
                name: "raw",
                inputs: { encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } }, tags: TAGS },
            },
        ],
        fail: [
            {
                what: "the component without a key",
                fixtures: [{ type: "eks:index:Cluster", name: "c", inputs: { tags: TAGS } }],
                messages: ['cluster "c" does not encrypt Secrets: set encryptionConfigKeyArn to a customer-managed KMS key.'],
            },
            {
                what: "the raw cluster without encryptionConfig",
                fixtures: [{ type: "aws:eks/cluster:Cluster", name: "raw", inputs: { tags: TAGS } }],
                messages: [
                    'cluster "raw" does not encrypt Secrets: set encryptionConfig { resources: ["secrets"], provider.keyArn: <CMK> }.',
                ],
            },
        ],
    },
    {
        policy: "kms-key-require-rotation-and-safe-deletion",
        pass: [
            { type: "aws:kms/key:Key", name: "k", inputs: { enableKeyRotation: true, deletionWindowInDays: 30, tags: TAGS } },
            {
                type: "aws:kms/key:Key",
                name: "signing",
                inputs: { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY", tags: TAGS },
            },
        ],
        fail: [
            {
                what: "no rotation",
                fixtures: [{ type: "aws:kms/key:Key", name: "k", inputs: { tags: TAGS } }],
                messages: ['key "k" is symmetric and does not rotate: set enableKeyRotation true.'],
            },
            {
                what: "a window below the minimum",
                fixtures: [
                    { type: "aws:kms/key:Key", name: "k", inputs: { enableKeyRotation: true, deletionWindowInDays: 10, tags: TAGS } },
                ],
                config: { "kms-key-require-rotation-and-safe-deletion": { minKmsDeletionWindowDays: 14 } },
                messages: ['key "k" has a 10-day deletion window: use at least 14.'],
            },
            {
                what: "the lockout-check bypass",
                fixtures: [
                    {
                        type: "aws:kms/key:Key",
                        name: "k",
                        inputs: { enableKeyRotation: true, bypassPolicyLockoutSafetyCheck: true, tags: TAGS },
                    },
                ],
                messages: ['key "k" bypasses the key-policy lockout check: remove bypassPolicyLockoutSafetyCheck.'],
            },
        ],
    },
    {
        policy: "secretsmanager-secret-require-cmk",
        pass: [
            {
                type: "aws:secretsmanager/secret:Secret",
                name: "s",
                inputs: { kmsKeyId: KEY, replicas: [{ region: "eu-central-1", kmsKeyId: KEY }] },
            },
        ],
        fail: [
            {
                what: "the AWS-managed key",
                fixtures: [{ type: "aws:secretsmanager/secret:Secret", name: "s", inputs: { kmsKeyId: "alias/aws/secretsmanager" } }],
                messages: ['secret "s" uses the AWS-managed key: set kmsKeyId to a customer-managed key.'],
            },
            {
                what: "a replica without a CMK",
                fixtures: [
                    {
                        type: "aws:secretsmanager/secret:Secret",
                        name: "s",
                        inputs: { kmsKeyId: KEY, replicas: [{ region: "eu-central-1" }] },
                    },
                ],
                messages: ['secret "s" replica in eu-central-1 uses the AWS-managed key: set its kmsKeyId.'],
            },
        ],
    },
    {
        policy: "ec2-volume-require-cmk-encryption",
        pass: [
            { type: "aws:ebs/volume:Volume", name: "v", inputs: { encrypted: true, kmsKeyId: KEY } },
            {
                type: "aws:ec2/launchTemplate:LaunchTemplate",
                name: "lt",
                inputs: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: KEY } }] },
            },
        ],
        fail: [
            {
                what: "an unencrypted volume",
                fixtures: [{ type: "aws:ebs/volume:Volume", name: "v", inputs: { encrypted: true } }],
                messages: ['volume "v" is not encrypted with a CMK: set encrypted true and kmsKeyId.'],
            },
            {
                what: "an unencrypted launch-template device",
                fixtures: [
                    {
                        type: "aws:ec2/launchTemplate:LaunchTemplate",
                        name: "lt",
                        inputs: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20 } }] },
                    },
                ],
                messages: ['launch template "lt" device /dev/xvda is not encrypted with a CMK: set ebs.encrypted "true" and ebs.kmsKeyId.'],
            },
        ],
    },
    {
        policy: "kubernetes-storageclass-require-ebs-encryption",
        pass: [
            {
                type: "kubernetes:storage.k8s.io/v1:StorageClass",
                name: "gp3",
                inputs: { metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com", parameters: { encrypted: "true" } },
            },
        ],
        fail: [
            {
                what: "unencrypted EBS",
                fixtures: [
                    {
                        type: "kubernetes:storage.k8s.io/v1:StorageClass",
                        name: "gp2",
                        inputs: { metadata: { name: "gp2" }, provisioner: "ebs.csi.aws.com", parameters: { type: "gp2" } },
                    },
                ],
                messages: ['StorageClass "gp2" provisions unencrypted EBS volumes: set parameters.encrypted "true" (and kmsKeyId).'],
            },
        ],
    },
    {
        policy: "sqs-queue-require-encryption",
        pass: [queue("q"), queue("kms", { sqsManagedSseEnabled: false, kmsMasterKeyId: KEY })],
        fail: [
            {
                what: "no encryption",
                fixtures: [queue("q", { sqsManagedSseEnabled: false })],
                messages: ['queue "q" is not encrypted: set sqsManagedSseEnabled true or kmsMasterKeyId.'],
            },
        ],
    },
    {
        policy: "cloudwatch-loggroup-require-cmk",
        pass: [{ type: "aws:cloudwatch/logGroup:LogGroup", name: "l", inputs: { kmsKeyId: KEY, tags: TAGS } }],
        fail: [
            {
                what: "the default key (advisory)",
                fixtures: [{ type: "aws:cloudwatch/logGroup:LogGroup", name: "l", inputs: { tags: TAGS } }],
                messages: ['log group "l" uses CloudWatch\'s default encryption: set kmsKeyId to a CMK.'],
            },
        ],
    },
    {
        policy: "ecr-repository-require-kms-immutable-scan",
        pass: [
            {
                type: "aws:ecr/repository:Repository",
                name: "r",
                inputs: {
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KEY }],
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    tags: TAGS,
                },
            },
        ],
        fail: [
            {
                what: "a repository with none of the blocks (passes awsguard)",
                fixtures: [{ type: "aws:ecr/repository:Repository", name: "r", inputs: { tags: TAGS } }],
                messages: [
                    'repository "r" is not KMS-encrypted: set encryptionConfigurations [{ encryptionType: "KMS", kmsKey }].',
                    'repository "r" allows tags to be overwritten: set imageTagMutability IMMUTABLE.',
                    'repository "r" does not scan on push: set imageScanningConfiguration.scanOnPush true.',
                ],
            },
        ],
    },
    {
        policy: "acmpca-ca-require-strong-config",
        pass: [
            {
                type: "aws:acmpca/certificateAuthority:CertificateAuthority",
                name: "ca",
                inputs: {
                    certificateAuthorityConfiguration: { keyAlgorithm: "EC_prime256v1", signingAlgorithm: "SHA256WITHECDSA" },
                    revocationConfiguration: { ocspConfiguration: { enabled: true } },
                    tags: TAGS,
                },
            },
        ],
        fail: [
            {
                what: "a weak CA without revocation",
                fixtures: [
                    {
                        type: "aws:acmpca/certificateAuthority:CertificateAuthority",
                        name: "ca",
                        inputs: {
                            certificateAuthorityConfiguration: { keyAlgorithm: "RSA_1024", signingAlgorithm: "SHA1WITHRSA" },
                            permanentDeletionTimeInDays: 7,
                            tags: TAGS,
                        },
                    },
                ],
                config: { "acmpca-ca-require-strong-config": { minCaPermanentDeletionDays: 14 } },
                messages: [
                    'CA "ca" key algorithm RSA_1024 is too weak: use RSA_2048, RSA_3072, RSA_4096, EC_prime256v1, EC_secp384r1, EC_secp521r1.',
                    'CA "ca" signing algorithm SHA1WITHRSA is too weak: use SHA256 or stronger.',
                    'CA "ca" publishes no revocation: enable a CRL or OCSP.',
                    'CA "ca" is permanently deleted after 7 days: keep at least 14.',
                ],
            },
        ],
    },
    {
        policy: "s3-bucket-require-kms-and-tls",
        pass: [
            { type: "aws:s3/bucket:Bucket", name: "b", inputs: { tags: TAGS } },
            {
                type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                name: "b-sse",
                inputs: {
                    bucket: "b-123",
                    rules: [
                        { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, bucketKeyEnabled: true },
                    ],
                },
                dependsOn: [urnOf({ type: "aws:s3/bucket:Bucket", name: "b" })],
            },
            {
                type: "aws:s3/bucketPolicy:BucketPolicy",
                name: "b-policy",
                inputs: {
                    bucket: "b-123",
                    policy: doc(DENY_PLAIN_HTTP),
                },
                dependsOn: [urnOf({ type: "aws:s3/bucket:Bucket", name: "b" })],
            },
            // Configured by the bucket's literal name, in a plan without dependencies.
            { type: "aws:s3/bucket:Bucket", name: "named", inputs: { bucket: "named-data", tags: TAGS } },
            {
                type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                name: "named-sse",
                inputs: {
                    bucket: "named-data",
                    rules: [
                        { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, bucketKeyEnabled: true },
                    ],
                },
            },
            {
                type: "aws:s3/bucketPolicy:BucketPolicy",
                name: "named-policy",
                inputs: {
                    bucket: "named-data",
                    policy: doc(DENY_PLAIN_HTTP),
                },
            },
            {
                type: "aws:s3/bucketV2:BucketV2",
                name: "legacy-inline",
                inputs: {
                    tags: TAGS,
                    serverSideEncryptionConfiguration: {
                        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true },
                    },
                    policy: doc({
                        Effect: "Deny",
                        Principal: { AWS: "*" },
                        Action: "s3:*",
                        Resource: "*",
                        Condition: { Bool: { "aws:SecureTransport": ["false"] } },
                    }),
                },
            },
        ],
        fail: [
            {
                what: "a bucket with neither",
                fixtures: [{ type: "aws:s3/bucket:Bucket", name: "bare", inputs: { tags: TAGS } }],
                messages: [
                    'bucket "bare" is not encrypted with SSE-KMS and a bucket key: add a server-side encryption configuration (aws:kms, bucketKeyEnabled).',
                    'bucket "bare" accepts plain-HTTP requests: add a bucket policy that denies aws:SecureTransport false.',
                ],
            },
            {
                what: "companions naming another bucket (no dependencies)",
                fixtures: [
                    { type: "aws:s3/bucket:Bucket", name: "named", inputs: { bucket: "named-data", tags: TAGS } },
                    {
                        type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                        name: "other-sse",
                        inputs: {
                            bucket: "other-data",
                            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
                        },
                    },
                    {
                        type: "aws:s3/bucketPolicy:BucketPolicy",
                        name: "named-policy",
                        inputs: {
                            bucket: "named-data",
                            policy: doc(DENY_PLAIN_HTTP),
                        },
                    },
                ],
                messages: [
                    'bucket "named" is not encrypted with SSE-KMS and a bucket key: add a server-side encryption configuration (aws:kms, bucketKeyEnabled).',
                ],
            },
            {
                what: "SSE-S3 in the separate resource",
                fixtures: [
                    { type: "aws:s3/bucket:Bucket", name: "b", inputs: { tags: TAGS } },
                    {
                        type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                        name: "b-sse",
                        inputs: { bucket: "b-123", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
                        dependsOn: [urnOf({ type: "aws:s3/bucket:Bucket", name: "b" })],
                    },
                    {
                        type: "aws:s3/bucketPolicy:BucketPolicy",
                        name: "b-policy",
                        inputs: {
                            bucket: "b-123",
                            policy: doc(DENY_PLAIN_HTTP),
                        },
                        dependsOn: [urnOf({ type: "aws:s3/bucket:Bucket", name: "b" })],
                    },
                ],
                messages: [
                    'bucket "b" is not encrypted with SSE-KMS and a bucket key: add a server-side encryption configuration (aws:kms, bucketKeyEnabled).',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-deny-admin-access",
        pass: [rolePolicy("p", doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }))],
        fail: [
            {
                what: "Action *",
                fixtures: [rolePolicy("p", doc({ Effect: "Allow", Action: "*", Resource: "*" }))],
                messages: ['aws:iam/rolePolicy:RolePolicy "p" policy statement 1 allows every action ("*"): list the actions it needs.'],
            },
            {
                what: "AdministratorAccess",
                fixtures: [
                    {
                        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                        name: "a",
                        inputs: { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
                    },
                ],
                messages: [
                    'aws:iam/rolePolicyAttachment:RolePolicyAttachment "a" attaches arn:aws:iam::aws:policy/AdministratorAccess: grant the specific actions the role needs instead.',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-deny-wildcard-actions",
        pass: [rolePolicy("p", doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }))],
        fail: [
            {
                what: "a prefix wildcard",
                fixtures: [rolePolicy("p", doc({ Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::b/*" }))],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "p" policy statement 1 allows the wildcard action "s3:Get*": list the actions by name.',
                ],
            },
            {
                what: "an unknown action",
                fixtures: [rolePolicy("p", doc({ Effect: "Allow", Action: "s3:GetObjekt", Resource: "arn:aws:s3:::b/*" }))],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "p" policy statement 1 allows "s3:GetObjekt", which is not an IAM action: fix the name.',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-restrict-star-resource",
        pass: [rolePolicy("p", doc({ Effect: "Allow", Action: ["ec2:DescribeInstances", "pricing:GetProducts"], Resource: "*" }))],
        fail: [
            {
                what: "a scopable action on *",
                fixtures: [rolePolicy("p", doc({ Effect: "Allow", Action: ["s3:GetObject", "ec2:DescribeInstances"], Resource: "*" }))],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "p" policy statement 1 grants s3:GetObject on "*": these actions support resource ARNs; scope them (or add the ABAC tag condition).',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-condition-key-in-context",
        pass: [
            rolePolicy(
                "p",
                doc({
                    Effect: "Allow",
                    Action: "ec2:DeleteNetworkInterface",
                    Resource: "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
                    Condition: { ArnEquals: { "ec2:Subnet": "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0abc" } },
                }),
            ),
        ],
        fail: [
            {
                what: "a condition on a key the action never carries (ec2:Subnet on CreateNetworkInterface's new interface)",
                fixtures: [
                    rolePolicy(
                        "p",
                        doc({
                            Effect: "Allow",
                            Action: "ec2:CreateNetworkInterface",
                            Resource: "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
                            Condition: { ArnEquals: { "ec2:Subnet": "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0abc" } },
                        }),
                    ),
                ],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "p" policy statement 1: condition key ec2:subnet is not in the request context of ec2:CreateNetworkInterface on resource type network-interface: the statement never matches ec2:CreateNetworkInterface (IAM denies it unless another statement allows it).',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-deny-not-elements",
        pass: [rolePolicy("p", doc({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }))],
        fail: [
            {
                what: "NotAction",
                fixtures: [rolePolicy("p", doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }))],
                messages: ['aws:iam/rolePolicy:RolePolicy "p" policy statement 1 allows NotAction: list the allowed actions instead.'],
            },
            {
                what: "NotPrincipal",
                fixtures: [
                    {
                        type: "aws:s3/bucketPolicy:BucketPolicy",
                        name: "bp",
                        inputs: {
                            bucket: "b",
                            policy: doc({
                                Effect: "Deny",
                                NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" },
                                Action: "s3:GetObject",
                                Resource: "*",
                            }),
                        },
                    },
                ],
                messages: ['aws:s3/bucketPolicy:BucketPolicy "bp" policy statement 1 uses NotPrincipal: name the principals instead.'],
            },
        ],
    },
    {
        policy: "iam-policy-scope-pass-role",
        pass: [rolePolicy("p", doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/node" }))],
        fail: [
            {
                what: "PassRole on *",
                fixtures: [rolePolicy("p", doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }))],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "p" policy statement 1 allows iam:PassRole on every role: name the roles (or a name prefix) it may pass.',
                ],
            },
        ],
    },
    {
        policy: "iam-role-require-scoped-irsa-trust",
        pass: [role("irsa", irsaTrust("system:serviceaccount:kube-system:karpenter", "sts.amazonaws.com"))],
        fail: [
            {
                what: "a wildcard subject and no audience",
                fixtures: [role("irsa", irsaTrust("system:serviceaccount:kube-system:*"))],
                messages: [
                    'role "irsa" trust statement 1 must pin "<issuer>:sub" with StringEquals to system:serviceaccount:<namespace>:<name> (no wildcards).',
                    'role "irsa" trust statement 1 must pin "<issuer>:aud" with StringEquals to sts.amazonaws.com.',
                ],
            },
        ],
    },
    {
        policy: "iam-role-deny-public-trust",
        pass: [
            role(
                "vendor",
                doc({
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::444455556666:root" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": "x" } },
                }),
            ),
        ],
        fail: [
            {
                what: "everyone",
                fixtures: [role("open", doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }))],
                messages: ['role "open" trust statement 1 trusts every AWS principal ("*"): name the principals.'],
            },
            {
                what: "an unguarded account root",
                fixtures: [
                    role(
                        "vendor",
                        doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:root" }, Action: "sts:AssumeRole" }),
                    ),
                ],
                messages: [
                    'role "vendor" trust statement 1 trusts arn:aws:iam::444455556666:root without a condition: add sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn.',
                ],
            },
        ],
    },
    {
        policy: "kubernetes-helm-require-pinned-chart",
        pass: [
            {
                type: "kubernetes:helm.sh/v3:Release",
                name: "eso",
                inputs: { chart: "external-secrets", version: "2.9.0", repositoryOpts: { repo: "https://charts.external-secrets.io" } },
            },
        ],
        fail: [
            {
                what: "a range from an unknown repository",
                fixtures: [
                    {
                        type: "kubernetes:helm.sh/v3:Release",
                        name: "x",
                        inputs: { chart: "thing", version: "^1.2", repositoryOpts: { repo: "https://charts.example.com" } },
                    },
                ],
                messages: [
                    'Helm release "x" (thing) is not pinned: set version to an exact chart version (got "^1.2").',
                    'Helm release "x" (thing) comes from https://charts.example.com: use one of oci://public.ecr.aws/karpenter, https://charts.external-secrets.io, https://charts.jetstack.io, https://cert-manager.github.io/aws-privateca-issuer, https://charts.gitlab.io, https://charts.jenkins.io, oci://ghcr.io/piraeusdatastore/piraeus-operator, https://aws.github.io/eks-charts, https://kyverno.github.io/kyverno, https://nirmata.github.io/kyverno-notation-aws, https://kyverno.github.io/policy-reporter, https://falcosecurity.github.io/charts or add it to allowedHelmRepositories.',
                ],
            },
        ],
    },
    {
        policy: "karpenter-nodeclass-require-imdsv2-encryption",
        pass: [k8s("karpenter.k8s.aws/v1", "EC2NodeClass", "default", nodeClassSpec)],
        fail: [
            {
                what: "IMDSv1, hop limit 2 and a plain volume",
                fixtures: [
                    k8s("karpenter.k8s.aws/v1", "EC2NodeClass", "loose", {
                        ...nodeClassSpec,
                        metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 },
                        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: "20Gi" } }],
                    }),
                ],
                messages: [
                    'EC2NodeClass "loose" allows IMDSv1: set metadataOptions.httpTokens "required".',
                    'EC2NodeClass "loose" lets pods reach IMDS (hop limit 2): set metadataOptions.httpPutResponseHopLimit 1.',
                    'EC2NodeClass "loose" device /dev/xvda is not encrypted: set ebs.encrypted true and kmsKeyID.',
                ],
            },
        ],
    },
    {
        policy: "karpenter-nodeclass-deny-latest-ami-in-prod",
        pass: [
            k8s("karpenter.k8s.aws/v1", "EC2NodeClass", "default", { ...nodeClassSpec, amiSelectorTerms: [{ alias: "al2023@latest" }] }),
        ],
        fail: [
            {
                what: "@latest where the stack is tagged prod",
                fixtures: [
                    k8s("karpenter.k8s.aws/v1", "EC2NodeClass", "default", {
                        ...nodeClassSpec,
                        amiSelectorTerms: [{ alias: "al2023@latest" }],
                    }),
                ],
                stackTags: { environment: "prod" },
                messages: ['EC2NodeClass "default" uses al2023@latest in prod: pin a release such as al2023@v20261020.'],
            },
        ],
    },
    {
        policy: "karpenter-nodepool-require-limits",
        pass: [k8s("karpenter.sh/v1", "NodePool", "p", { limits: { cpu: "100" } })],
        fail: [
            {
                what: "no limits",
                fixtures: [k8s("karpenter.sh/v1", "NodePool", "p", {})],
                messages: ['NodePool "p" has no limits: set spec.limits (cpu, memory) so a runaway workload cannot launch without bound.'],
            },
        ],
    },
    {
        policy: "kubernetes-api-deny-deprecated-versions",
        pass: [k8s("external-secrets.io/v1", "ExternalSecret", "es", {})],
        fail: [
            {
                what: "ESO v1beta1",
                fixtures: [k8s("external-secrets.io/v1beta1", "ExternalSecret", "es", {})],
                messages: ['ExternalSecret "es" uses the deprecated API external-secrets.io/v1beta1: use external-secrets.io/v1.'],
            },
            {
                what: "Karpenter v1beta1",
                fixtures: [k8s("karpenter.sh/v1beta1", "NodePool", "p", { limits: { cpu: "1" } })],
                messages: ['NodePool "p" uses the deprecated API karpenter.sh/v1beta1: use karpenter.sh/v1.'],
            },
        ],
    },
    {
        policy: "kubernetes-deny-static-aws-credentials",
        pass: [
            k8s("external-secrets.io/v1", "ClusterSecretStore", "platform", {
                provider: {
                    aws: {
                        service: "SecretsManager",
                        region: "eu-west-1",
                        auth: { jwt: { serviceAccountRef: { name: "eso", namespace: "external-secrets" } } },
                    },
                },
            }),
            {
                type: "kubernetes:core/v1:Secret",
                name: "app",
                inputs: {
                    apiVersion: "v1",
                    kind: "Secret",
                    metadata: { name: "app" },
                    stringData: { token: "not-a-key", id: "AKIA-short" },
                },
            },
        ],
        fail: [
            {
                what: "a literal key id in a ConfigMap",
                fixtures: [
                    {
                        type: "kubernetes:core/v1:ConfigMap",
                        name: "cfg",
                        inputs: {
                            apiVersion: "v1",
                            kind: "ConfigMap",
                            metadata: { name: "cfg" },
                            data: { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" },
                        },
                    },
                ],
                messages: [
                    'ConfigMap "cfg" contains the AWS access key id AKIA…MPLE: remove it, rotate the key, and use an IRSA or Pod Identity role.',
                ],
            },
            {
                what: "a temporary key id in Helm values",
                fixtures: [
                    {
                        type: "kubernetes:helm.sh/v3:Release",
                        name: "app",
                        inputs: {
                            chart: "app",
                            version: "1.0.0",
                            repositoryOpts: { repo: "https://charts.jenkins.io" },
                            values: { env: [{ name: "KEY", value: "ASIAY34FZKBOKMUTVV7A" }] },
                        },
                    },
                ],
                messages: [
                    'Release "app" contains the AWS access key id ASIA…VV7A: remove it, rotate the key, and use an IRSA or Pod Identity role.',
                ],
            },
            {
                what: "an ESO store signing in with a static key",
                fixtures: [
                    k8s("external-secrets.io/v1", "SecretStore", "tenant", {
                        provider: {
                            aws: {
                                service: "SecretsManager",
                                region: "eu-west-1",
                                auth: {
                                    secretRef: {
                                        accessKeyIDSecretRef: { name: "aws", key: "id" },
                                        secretAccessKeySecretRef: { name: "aws", key: "secret" },
                                    },
                                },
                            },
                        },
                    }),
                ],
                messages: [
                    'SecretStore "tenant" authenticates to AWS with a static key (auth.secretRef accessKeyIDSecretRef, secretAccessKeySecretRef): use auth.jwt with the controller\'s IRSA role, or the platform ClusterSecretStore.',
                ],
            },
        ],
    },
    {
        policy: "aws-iam-deny-access-key-in-kubernetes",
        // With the platform's policy config, whose LINSTOR exemption covers the last fixture.
        passConfig: platformPolicyConfig(),
        pass: [
            accessKey,
            {
                type: "aws:secretsmanager/secretVersion:SecretVersion",
                name: "token-value",
                inputs: { secretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:t", secretString: "[secret]" },
                dependsOn: [urnOf({ type: "random:index/randomPassword:RandomPassword", name: "pw" })],
            },
            // The platform's own LINSTOR key: exempted by policy-config.json, reported (see the exemptions tests).
            {
                type: "aws:secretsmanager/secretVersion:SecretVersion",
                name: "cip-dev-storage-s3-credentials-value",
                inputs: { secretId: "s", secretString: "[secret]" },
                dependsOn: [urnOf(accessKey)],
            },
        ],
        fail: [
            {
                what: "a Kubernetes Secret made from an access key",
                fixtures: [
                    accessKey,
                    {
                        type: "kubernetes:core/v1:Secret",
                        name: "aws-creds",
                        inputs: { apiVersion: "v1", kind: "Secret", metadata: { name: "aws-creds" }, stringData: { id: "[secret]" } },
                        dependsOn: [urnOf(accessKey)],
                    },
                ],
                messages: [
                    'Secret "aws-creds" carries the static access key of "ci-user" into Kubernetes: give the workload an IRSA or Pod Identity role instead, or exempt it with the reason the consumer cannot use one.',
                ],
            },
            {
                what: "Helm values made from an access key",
                fixtures: [
                    accessKey,
                    {
                        type: "kubernetes:helm.sh/v3:Release",
                        name: "app",
                        inputs: { chart: "app", version: "1.0.0", values: { aws: "[secret]" } },
                        dependsOn: [urnOf(accessKey)],
                    },
                ],
                messages: [
                    'Release "app" carries the static access key of "ci-user" into Kubernetes: give the workload an IRSA or Pod Identity role instead, or exempt it with the reason the consumer cannot use one.',
                ],
            },
            {
                what: "a Secrets Manager secret ESO delivers, made from an access key",
                fixtures: [
                    accessKey,
                    {
                        type: "aws:secretsmanager/secretVersion:SecretVersion",
                        name: "creds-value",
                        inputs: { secretId: "s", secretString: "[secret]" },
                        dependsOn: [urnOf(accessKey)],
                    },
                ],
                messages: [
                    'SecretVersion "creds-value" carries the static access key of "ci-user" into Kubernetes: give the workload an IRSA or Pod Identity role instead, or exempt it with the reason the consumer cannot use one.',
                ],
            },
        ],
    },
    {
        policy: "kubernetes-namespace-require-pod-security",
        pass: [namespace("apps", "restricted"), namespace("system", "privileged")],
        fail: [
            {
                what: "no enforce label",
                fixtures: [
                    {
                        type: "kubernetes:core/v1:Namespace",
                        name: "bare",
                        inputs: {
                            apiVersion: "v1",
                            kind: "Namespace",
                            metadata: { name: "bare", labels: { "pod-security.kubernetes.io/warn": "restricted" } },
                        },
                    },
                ],
                messages: [
                    'Namespace "bare" enforces no Pod Security level: label it pod-security.kubernetes.io/enforce=restricted (or baseline; privileged only with an exemption).',
                ],
            },
            {
                what: "an enforce label that is not a level",
                fixtures: [namespace("typo", "restriced")],
                messages: [
                    'Namespace "typo" has pod-security.kubernetes.io/enforce="restriced", not a level: use privileged, baseline or restricted.',
                ],
            },
        ],
    },
    {
        policy: "kubernetes-workload-require-pod-security",
        pass: [
            namespace("apps", "restricted"),
            workload("apps/v1", "Deployment", "web", "apps", { template: { metadata: { labels: { app: "web" } }, spec: RESTRICTED_POD } }),
            workload("batch/v1", "CronJob", "backup", "apps", {
                schedule: "@daily",
                jobTemplate: { spec: { template: { spec: RESTRICTED_POD } } },
            }),
            namespace("nodes", "privileged"),
            workload("apps/v1", "DaemonSet", "agent", "nodes", {
                template: {
                    spec: { hostNetwork: true, containers: [{ name: "agent", image: "a", securityContext: { privileged: true } }] },
                },
            }),
            namespace("legacy", "baseline"),
            workload("apps/v1", "StatefulSet", "db", "legacy", { template: { spec: { containers: [{ name: "db", image: "d" }] } } }),
        ],
        fail: [
            {
                what: "a restricted namespace's Deployment that may escalate privileges",
                fixtures: [
                    namespace("apps", "restricted"),
                    workload("apps/v1", "Deployment", "web", "apps", {
                        template: {
                            spec: {
                                ...RESTRICTED_POD,
                                containers: [
                                    {
                                        ...RESTRICTED_CONTAINER,
                                        securityContext: { ...RESTRICTED_CONTAINER.securityContext, allowPrivilegeEscalation: true },
                                    },
                                ],
                            },
                        },
                    }),
                ],
                messages: [
                    'Deployment "apps/web" violates Pod Security allowPrivilegeEscalation (namespace "apps" enforces "restricted"): allowPrivilegeEscalation != false (containers "app" must set securityContext.allowPrivilegeEscalation=false).',
                ],
            },
            {
                what: "a baseline namespace's CronJob on the host network",
                fixtures: [
                    namespace("legacy", "baseline"),
                    workload("batch/v1", "CronJob", "job", "legacy", {
                        jobTemplate: { spec: { template: { spec: { hostNetwork: true, containers: [{ name: "c", image: "i" }] } } } },
                    }),
                ],
                messages: [
                    'CronJob "legacy/job" violates Pod Security hostNamespaces (namespace "legacy" enforces "baseline"): host namespaces (hostNetwork=true).',
                ],
            },
            {
                what: "a Job in a namespace the program does not declare (restricted by default)",
                fixtures: [
                    workload("batch/v1", "Job", "once", "elsewhere", {
                        template: { spec: { ...RESTRICTED_POD, securityContext: { runAsNonRoot: true } } },
                    }),
                ],
                messages: [
                    'Job "elsewhere/once" violates Pod Security seccompProfile_restricted (namespace "elsewhere" is not declared here, so "restricted" (podSecurityDefaultLevel) applies): seccompProfile (pod or containers "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost").',
                ],
            },
            {
                what: "a Deployment placed by its provider's default namespace",
                fixtures: [
                    namespace("apps", "restricted"),
                    {
                        type: "kubernetes:apps/v1:Deployment",
                        name: "web",
                        inputs: {
                            apiVersion: "apps/v1",
                            kind: "Deployment",
                            metadata: { name: "web" },
                            spec: { template: { spec: { ...RESTRICTED_POD, hostIPC: true } } },
                        },
                        provider: { namespace: "apps" },
                    },
                ],
                messages: [
                    'Deployment "apps/web" violates Pod Security hostNamespaces (namespace "apps" enforces "restricted"): host namespaces (hostIPC=true).',
                ],
            },
            {
                what: "a bare Pod against a configured default level",
                fixtures: [
                    {
                        type: "kubernetes:core/v1:Pod",
                        name: "debug",
                        inputs: {
                            apiVersion: "v1",
                            kind: "Pod",
                            metadata: { name: "debug" },
                            spec: { containers: [{ name: "sh", image: "busybox", ports: [{ containerPort: 80, hostPort: 8080 }] }] },
                        },
                    },
                ],
                config: { "kubernetes-workload-require-pod-security": { podSecurityDefaultLevel: "baseline" } },
                messages: [
                    'Pod "default/debug" violates Pod Security hostPorts (namespace "default" is not declared here, so "baseline" (podSecurityDefaultLevel) applies): hostPort (containers "sh" use hostPorts 8080).',
                ],
            },
        ],
    },
    // --- issue 24: public exposure, encryption and IMDS beyond the platform's types, IAM paths, OIDC trust, quotas ---
    {
        policy: "eks-cluster-deny-public-endpoint",
        pass: [
            {
                type: "aws:eks/cluster:Cluster",
                name: "private",
                inputs: { vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true } },
            },
            {
                type: "aws:eks/cluster:Cluster",
                name: "office",
                inputs: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
            },
            { type: "eks:index:Cluster", name: "component", inputs: { endpointPublicAccess: false, endpointPrivateAccess: true } },
        ],
        fail: [
            {
                what: "a raw cluster public by default (no vpcConfig settings)",
                fixtures: [{ type: "aws:eks/cluster:Cluster", name: "c", inputs: { vpcConfig: { subnetIds: ["subnet-a"] } } }],
                messages: [
                    'cluster "c" serves its API endpoint publicly to 0.0.0.0/0 (the default): set endpointPublicAccess false (with endpointPrivateAccess true) or list the CIDRs that need it in publicAccessCidrs.',
                ],
            },
            {
                what: "a raw cluster public to 0.0.0.0/0 explicitly",
                fixtures: [
                    {
                        type: "aws:eks/cluster:Cluster",
                        name: "c",
                        inputs: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["10.0.0.0/8", "0.0.0.0/0"] } },
                    },
                ],
                messages: [
                    'cluster "c" serves its API endpoint publicly to 0.0.0.0/0: set endpointPublicAccess false (with endpointPrivateAccess true) or list the CIDRs that need it in publicAccessCidrs.',
                ],
            },
            {
                what: "a raw cluster public to the whole internet in two halves",
                fixtures: [
                    {
                        type: "aws:eks/cluster:Cluster",
                        name: "h",
                        inputs: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } },
                    },
                ],
                messages: [
                    'cluster "h" serves its API endpoint publicly to 0.0.0.0/1, 128.0.0.0/1: set endpointPublicAccess false (with endpointPrivateAccess true) or list the CIDRs that need it in publicAccessCidrs.',
                ],
            },
            {
                what: "the eks:index:Cluster component left public",
                fixtures: [{ type: "eks:index:Cluster", name: "k", inputs: { endpointPrivateAccess: true } }],
                messages: [
                    'cluster "k" serves its API endpoint publicly to 0.0.0.0/0 (the default): set endpointPublicAccess false (with endpointPrivateAccess true) or list the CIDRs that need it in publicAccessCidrs.',
                ],
            },
        ],
    },
    {
        policy: "eks-cluster-require-control-plane-logging",
        pass: [
            {
                type: "aws:eks/cluster:Cluster",
                name: "raw",
                inputs: { enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"] },
            },
            {
                type: "eks:index:Cluster",
                name: "component",
                inputs: { enabledClusterLogTypes: ["scheduler", "controllerManager", "authenticator", "audit", "api"] },
            },
        ],
        fail: [
            {
                what: "logging off on a raw cluster",
                fixtures: [{ type: "aws:eks/cluster:Cluster", name: "c", inputs: {} }],
                messages: [
                    'cluster "c" does not log api, audit, authenticator, controllerManager, scheduler: add them to enabledClusterLogTypes.',
                ],
            },
            {
                what: "the component without the audit log",
                fixtures: [
                    {
                        type: "eks:index:Cluster",
                        name: "k",
                        inputs: { enabledClusterLogTypes: ["api", "authenticator", "controllerManager", "scheduler"] },
                    },
                ],
                messages: ['cluster "k" does not log audit: add them to enabledClusterLogTypes.'],
            },
            {
                what: "the three audit logs without the controller-manager and scheduler logs",
                fixtures: [
                    { type: "aws:eks/cluster:Cluster", name: "s", inputs: { enabledClusterLogTypes: ["api", "audit", "authenticator"] } },
                ],
                messages: ['cluster "s" does not log controllerManager, scheduler: add them to enabledClusterLogTypes.'],
            },
        ],
    },
    {
        policy: "ec2-securitygroup-deny-public-admin-ports",
        pass: [
            {
                type: "aws:ec2/securityGroup:SecurityGroup",
                name: "web",
                inputs: {
                    tags: TAGS,
                    ingress: [
                        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/16"] },
                    ],
                },
            },
            {
                type: "aws:ec2/securityGroupRule:SecurityGroupRule",
                name: "egress-all",
                inputs: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-1" },
            },
            {
                type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                name: "https",
                inputs: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1", tags: TAGS },
            },
        ],
        fail: [
            {
                what: "SSH open to the world in an inline ingress block",
                fixtures: [
                    {
                        type: "aws:ec2/securityGroup:SecurityGroup",
                        name: "bastion",
                        inputs: { tags: TAGS, ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
                    },
                ],
                messages: [
                    'aws:ec2/securityGroup:SecurityGroup "bastion" ingress 1 opens SSH 22 to 0.0.0.0/0: reach administration through SSM Session Manager or a VPN, or name the source CIDRs.',
                ],
            },
            {
                what: "every port to ::/0 in a SecurityGroupRule",
                fixtures: [
                    {
                        type: "aws:ec2/securityGroupRule:SecurityGroupRule",
                        name: "all",
                        inputs: {
                            type: "ingress",
                            protocol: "-1",
                            fromPort: 0,
                            toPort: 0,
                            ipv6CidrBlocks: ["::/0"],
                            securityGroupId: "sg-1",
                        },
                    },
                ],
                messages: [
                    'aws:ec2/securityGroupRule:SecurityGroupRule "all" rule opens SSH 22 to ::/0; Telnet 23 to ::/0; Docker 2375 to ::/0; Docker TLS 2376 to ::/0; RDP 3389 to ::/0; VNC 5900 to ::/0; WinRM 5985 to ::/0; WinRM HTTPS 5986 to ::/0; Kubernetes API 6443 to ::/0; kubelet 10250 to ::/0: reach administration through SSM Session Manager or a VPN, or name the source CIDRs.',
                ],
            },
            {
                what: "a port range covering RDP in a SecurityGroupIngressRule",
                fixtures: [
                    {
                        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                        name: "range",
                        inputs: {
                            ipProtocol: "tcp",
                            fromPort: 3000,
                            toPort: 4000,
                            cidrIpv4: "0.0.0.0/0",
                            securityGroupId: "sg-1",
                            tags: TAGS,
                        },
                    },
                ],
                messages: [
                    'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule "range" rule opens RDP 3389 to 0.0.0.0/0: reach administration through SSM Session Manager or a VPN, or name the source CIDRs.',
                ],
            },
        ],
    },
    {
        policy: "s3-bucket-deny-public-access",
        pass: [
            { type: "aws:s3/bucketV2:BucketV2", name: "private", inputs: { tags: TAGS } },
            { type: "aws:s3/bucketAclV2:BucketAclV2", name: "acl", inputs: { bucket: "b", acl: "private" } },
            {
                type: "aws:s3/bucketPolicy:BucketPolicy",
                name: "org-only",
                inputs: {
                    bucket: "b",
                    policy: doc({
                        Effect: "Allow",
                        Principal: "*",
                        Action: "s3:GetObject",
                        Resource: "arn:aws:s3:::b/*",
                        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
                    }),
                },
            },
        ],
        fail: [
            {
                what: "a public canned ACL",
                fixtures: [{ type: "aws:s3/bucketAclV2:BucketAclV2", name: "acl", inputs: { bucket: "b", acl: "public-read" } }],
                messages: [
                    'aws:s3/bucketAclV2:BucketAclV2 "acl" sets the public ACL "public-read": use "private" (and S3 Object Ownership BucketOwnerEnforced).',
                ],
            },
            {
                what: "an ACL grant to AllUsers",
                fixtures: [
                    {
                        type: "aws:s3/bucketAclV2:BucketAclV2",
                        name: "grant",
                        inputs: {
                            bucket: "b",
                            accessControlPolicy: {
                                owner: { id: "o" },
                                grants: [
                                    {
                                        grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" },
                                        permission: "READ",
                                    },
                                ],
                            },
                        },
                    },
                ],
                messages: [
                    'aws:s3/bucketAclV2:BucketAclV2 "grant" grants READ to http://acs.amazonaws.com/groups/global/AllUsers: remove the grant.',
                ],
            },
            {
                what: 'a bucket policy allowing Principal "*" under a condition that pins nobody',
                fixtures: [
                    {
                        type: "aws:s3/bucketPolicy:BucketPolicy",
                        name: "open",
                        inputs: {
                            bucket: "b",
                            policy: doc({
                                Sid: "Public",
                                Effect: "Allow",
                                Principal: { AWS: "*" },
                                Action: "s3:GetObject",
                                Resource: "arn:aws:s3:::b/*",
                                Condition: { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } },
                            }),
                        },
                    },
                ],
                messages: [
                    'aws:s3/bucketPolicy:BucketPolicy "open" policy statement "Public" allows s3:GetObject to everyone (Principal "*") without a condition that limits the caller: name the principals, or add aws:PrincipalOrgID / aws:SourceVpce / aws:SourceArn with exact values.',
                ],
            },
        ],
    },
    {
        policy: "kms-secretsmanager-deny-public-policy",
        pass: [
            {
                type: "aws:kms/key:Key",
                name: "k",
                inputs: {
                    tags: TAGS,
                    enableKeyRotation: true,
                    policy: doc({
                        Effect: "Allow",
                        Principal: { AWS: "*" },
                        Action: "kms:Decrypt",
                        Resource: "*",
                        Condition: {
                            StringEquals: { "kms:CallerAccount": "123456789012", "kms:ViaService": "ec2.eu-west-1.amazonaws.com" },
                        },
                    }),
                },
            },
            {
                type: "aws:secretsmanager/secretPolicy:SecretPolicy",
                name: "sp",
                inputs: {
                    secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s",
                    policy: doc({
                        Effect: "Allow",
                        Principal: { AWS: "arn:aws:iam::123456789012:role/app" },
                        Action: "secretsmanager:GetSecretValue",
                        Resource: "*",
                    }),
                },
            },
        ],
        fail: [
            {
                what: 'a key policy open to "*"',
                fixtures: [
                    {
                        type: "aws:kms/keyPolicy:KeyPolicy",
                        name: "kp",
                        inputs: {
                            keyId: "k",
                            policy: doc({ Effect: "Allow", Principal: "*", Action: ["kms:Decrypt", "kms:Encrypt"], Resource: "*" }),
                        },
                    },
                ],
                messages: [
                    'aws:kms/keyPolicy:KeyPolicy "kp" policy statement 1 allows kms:Decrypt, kms:Encrypt to everyone (Principal "*") without a condition that limits the caller: name the account root or roles, or add kms:CallerAccount / aws:PrincipalOrgID / aws:PrincipalAccount with exact values.',
                ],
            },
            {
                what: 'a secret policy open to "*" behind a negated or IfExists condition',
                fixtures: [
                    {
                        type: "aws:secretsmanager/secretPolicy:SecretPolicy",
                        name: "sp",
                        inputs: {
                            secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s",
                            policy: doc({
                                Effect: "Allow",
                                Principal: { AWS: "*" },
                                Action: "secretsmanager:GetSecretValue",
                                Resource: "*",
                                Condition: {
                                    StringNotEquals: { "aws:PrincipalAccount": "999999999999" },
                                    StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123def4" },
                                },
                            }),
                        },
                    },
                ],
                messages: [
                    'aws:secretsmanager/secretPolicy:SecretPolicy "sp" policy statement 1 allows secretsmanager:GetSecretValue to everyone (Principal "*") without a condition that limits the caller: name the account root or roles, or add kms:CallerAccount / aws:PrincipalOrgID / aws:PrincipalAccount with exact values.',
                ],
            },
            {
                what: 'a key policy open to "*" behind ForAllValues on a single-valued key (true when the key is absent)',
                fixtures: [
                    {
                        type: "aws:kms/keyPolicy:KeyPolicy",
                        name: "kp",
                        inputs: {
                            keyId: KEY,
                            policy: doc({
                                Effect: "Allow",
                                Principal: "*",
                                Action: "kms:Decrypt",
                                Resource: "*",
                                Condition: { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abc123def4" } },
                            }),
                        },
                    },
                ],
                messages: [
                    'aws:kms/keyPolicy:KeyPolicy "kp" policy statement 1 allows kms:Decrypt to everyone (Principal "*") without a condition that limits the caller: name the account root or roles, or add kms:CallerAccount / aws:PrincipalOrgID / aws:PrincipalAccount with exact values.',
                ],
            },
        ],
    },
    {
        policy: "sns-topic-require-kms",
        pass: [{ type: "aws:sns/topic:Topic", name: "t", inputs: { tags: TAGS, kmsMasterKeyId: KEY } }],
        fail: [
            {
                what: "a topic without a key",
                fixtures: [{ type: "aws:sns/topic:Topic", name: "t", inputs: { tags: TAGS } }],
                messages: ['topic "t" is not encrypted: set kmsMasterKeyId to a customer-managed KMS key.'],
            },
            {
                what: "a topic under the AWS-managed key",
                fixtures: [{ type: "aws:sns/topic:Topic", name: "t", inputs: { tags: TAGS, kmsMasterKeyId: "alias/aws/sns" } }],
                messages: [
                    'topic "t" uses the AWS-managed key alias/aws/sns, which other services\' policies cannot be granted: use a CMK.',
                ],
            },
        ],
    },
    {
        policy: "ec2-require-imdsv2",
        pass: [
            {
                type: "aws:ec2/launchTemplate:LaunchTemplate",
                name: "lt",
                inputs: { tags: TAGS, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } },
            },
            { type: "aws:ec2/instance:Instance", name: "i", inputs: { tags: TAGS, metadataOptions: { httpEndpoint: "disabled" } } },
        ],
        fail: [
            {
                what: "a launch template that leaves IMDSv1 on (no metadataOptions)",
                fixtures: [{ type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", inputs: { tags: TAGS } }],
                messages: [
                    'launch template "lt" allows IMDSv1 (httpTokens "optional (default)"): set metadataOptions.httpTokens "required" (and httpPutResponseHopLimit 1 unless containers need the node\'s role).',
                ],
            },
            {
                what: "an instance with httpTokens optional",
                fixtures: [
                    { type: "aws:ec2/instance:Instance", name: "i", inputs: { tags: TAGS, metadataOptions: { httpTokens: "optional" } } },
                ],
                messages: [
                    'instance "i" allows IMDSv1 (httpTokens "optional"): set metadataOptions.httpTokens "required" (and httpPutResponseHopLimit 1 unless containers need the node\'s role).',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-deny-admin-access",
        pass: [
            {
                type: "aws:iam/role:Role",
                name: "r",
                inputs: {
                    tags: TAGS,
                    assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
                    managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                },
            },
            {
                type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                name: "g",
                inputs: { group: "ops", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
            },
            {
                type: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
                name: "x",
                inputs: { roleName: "r", policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
            },
        ],
        fail: [
            {
                what: "AdministratorAccess through Role.managedPolicyArns",
                fixtures: [
                    {
                        type: "aws:iam/role:Role",
                        name: "r",
                        inputs: {
                            tags: TAGS,
                            assumeRolePolicy: doc({
                                Effect: "Allow",
                                Principal: { Service: "ec2.amazonaws.com" },
                                Action: "sts:AssumeRole",
                            }),
                            managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
                        },
                    },
                ],
                messages: [
                    'aws:iam/role:Role "r" attaches arn:aws:iam::aws:policy/AdministratorAccess: grant the specific actions the role needs instead.',
                ],
            },
            {
                what: "a group policy attachment of IAMFullAccess",
                fixtures: [
                    {
                        type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                        name: "g",
                        inputs: { group: "ops", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" },
                    },
                ],
                messages: [
                    'aws:iam/groupPolicyAttachment:GroupPolicyAttachment "g" attaches arn:aws:iam::aws:policy/IAMFullAccess: grant the specific actions the role needs instead.',
                ],
            },
            {
                what: "exclusive attachments of PowerUserAccess (role, user and group)",
                fixtures: [
                    {
                        type: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
                        name: "xr",
                        inputs: { roleName: "r", policyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"] },
                    },
                    {
                        type: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
                        name: "xu",
                        inputs: { userName: "u", policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
                    },
                    {
                        type: "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
                        name: "xg",
                        inputs: { groupName: "g", policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
                    },
                ],
                messages: [
                    'aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive "xr" attaches arn:aws:iam::aws:policy/PowerUserAccess: grant the specific actions the role needs instead.',
                    'aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive "xu" attaches arn:aws:iam::aws:policy/AdministratorAccess: grant the specific actions the role needs instead.',
                    'aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive "xg" attaches arn:aws:iam::aws:policy/AdministratorAccess: grant the specific actions the role needs instead.',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-restrict-star-resource",
        pass: [
            rolePolicy(
                "named",
                doc({
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/*",
                }),
            ),
        ],
        fail: [
            {
                what: 'an ARN wildcard over every secret (as good as "*")',
                fixtures: [
                    rolePolicy(
                        "all-secrets",
                        doc({
                            Effect: "Allow",
                            Action: "secretsmanager:DescribeSecret",
                            Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*",
                        }),
                    ),
                ],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "all-secrets" policy statement 1 grants secretsmanager:DescribeSecret on arn:aws:secretsmanager:eu-west-1:123456789012:secret:* (every resource of its type, as good as "*"): these actions support resource ARNs; scope them (or add the ABAC tag condition).',
                ],
            },
        ],
    },
    {
        policy: "iam-policy-require-abac-condition",
        pass: [rolePolicy("one-key", doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: KEY }))],
        fail: [
            {
                what: "a grant on key/* without the tag condition",
                fixtures: [
                    rolePolicy(
                        "all-keys",
                        doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:123456789012:key/*" }),
                    ),
                ],
                messages: [
                    'aws:iam/rolePolicy:RolePolicy "all-keys" policy statement 1 grants kms:Decrypt on "*" without the ABAC condition: add StringEquals aws:ResourceTag/ekssecret = ${aws:PrincipalTag/...}.',
                ],
            },
        ],
    },
    {
        policy: "iam-role-deny-public-trust",
        pass: [
            role(
                "partner",
                doc({
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "sts:AssumeRole",
                    Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::444455556666:role/deployer-*" } },
                }),
            ),
        ],
        fail: [
            {
                what: "a guard key whose value pins nobody (StringLike aws:PrincipalArn arn:aws:iam::*:role/*)",
                fixtures: [
                    role(
                        "wide",
                        doc({
                            Effect: "Allow",
                            Principal: { AWS: "*" },
                            Action: "sts:AssumeRole",
                            Condition: { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } },
                        }),
                    ),
                ],
                messages: ['role "wide" trust statement 1 trusts every AWS principal ("*"): name the principals.'],
            },
            {
                what: "an account root behind an IfExists guard",
                fixtures: [
                    role(
                        "vendor",
                        doc({
                            Effect: "Allow",
                            Principal: { AWS: "arn:aws:iam::444455556666:root" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEqualsIfExists: { "sts:ExternalId": "x" } },
                        }),
                    ),
                ],
                messages: [
                    'role "vendor" trust statement 1 trusts arn:aws:iam::444455556666:root without a condition: add sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn.',
                ],
            },
        ],
    },
    {
        policy: "iam-role-require-scoped-oidc-trust",
        pass: [
            role(
                "github-deploy",
                oidcTrust(GITHUB, {
                    StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com", [`${GITHUB}:sub`]: "repo:acme/platform:environment:prod" },
                }),
            ),
            role(
                "github-release",
                oidcTrust(GITHUB, {
                    StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
                    StringLike: { [`${GITHUB}:sub`]: "repo:acme/platform:ref:refs/heads/release-*" },
                }),
            ),
            role(
                "gitlab-deploy",
                oidcTrust(GITLAB, {
                    StringEquals: { [`${GITLAB}:aud`]: "ciplatform-prod" },
                    StringLike: { [`${GITLAB}:sub`]: "project_path:acme/platform:ref_type:tag:ref:prod-*" },
                }),
            ),
            role(
                "other",
                oidcTrust("auth.example.com", { StringEquals: { "auth.example.com:aud": "aws", "auth.example.com:sub": "service-42" } }),
            ),
        ],
        fail: [
            {
                what: "GitHub Actions without sub (any repository)",
                fixtures: [role("gh", oidcTrust(GITHUB, { StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" } }))],
                messages: [
                    `role "gh" trust statement 1 trusts ${GITHUB} without a "${GITHUB}:sub" condition: any repository or project on it may assume the role.`,
                ],
            },
            {
                what: "GitHub Actions for any repository of an owner, and no aud",
                fixtures: [role("gh", oidcTrust(GITHUB, { StringLike: { [`${GITHUB}:sub`]: "repo:acme/*" } }))],
                messages: [
                    `role "gh" trust statement 1 lets "repo:acme/*" (any repository) of ${GITHUB} assume the role: pin "${GITHUB}:sub" to one repository or project and its branch, tag or environment.`,
                    `role "gh" trust statement 1 does not pin "${GITHUB}:aud" with StringEquals to the audience its tokens are minted for (sts.amazonaws.com on GitHub).`,
                ],
            },
            {
                what: "GitHub Actions for any branch of a repository",
                fixtures: [
                    role(
                        "gh",
                        oidcTrust(GITHUB, {
                            StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
                            StringLike: { [`${GITHUB}:sub`]: "repo:acme/platform:*" },
                        }),
                    ),
                ],
                messages: [
                    `role "gh" trust statement 1 lets "repo:acme/platform:*" (any branch, tag, environment or pull request) of ${GITHUB} assume the role: pin "${GITHUB}:sub" to one repository or project and its branch, tag or environment.`,
                ],
            },
            {
                what: "GitHub Actions for any branch, any environment, or any context of a repository, written past the first colon",
                fixtures: [
                    role(
                        "gh",
                        oidcTrust(GITHUB, {
                            StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
                            StringLike: {
                                [`${GITHUB}:sub`]: [
                                    "repo:acme/platform:ref:refs/heads/*",
                                    "repo:acme/platform:environment:*",
                                    "repo:acme/platform:*:*",
                                ],
                            },
                        }),
                    ),
                ],
                messages: [
                    `role "gh" trust statement 1 lets "repo:acme/platform:ref:refs/heads/*" (any branch, tag, environment or pull request), "repo:acme/platform:environment:*" (any branch, tag, environment or pull request), "repo:acme/platform:*:*" (any branch, tag, environment or pull request) of ${GITHUB} assume the role: pin "${GITHUB}:sub" to one repository or project and its branch, tag or environment.`,
                ],
            },
            {
                what: "GitLab for any project, with a wildcard audience",
                fixtures: [role("gl", oidcTrust(GITLAB, { StringLike: { [`${GITLAB}:aud`]: "*", [`${GITLAB}:sub`]: "project_path:*" } }))],
                messages: [
                    `role "gl" trust statement 1 lets "project_path:*" (any project) of ${GITLAB} assume the role: pin "${GITLAB}:sub" to one repository or project and its branch, tag or environment.`,
                    `role "gl" trust statement 1 does not pin "${GITLAB}:aud" with StringEquals to the audience its tokens are minted for (sts.amazonaws.com on GitHub).`,
                ],
            },
            {
                what: "GitLab for any branch of a project",
                fixtures: [
                    role(
                        "gl",
                        oidcTrust(GITLAB, {
                            StringEquals: { [`${GITLAB}:aud`]: "x" },
                            StringLike: { [`${GITLAB}:sub`]: "project_path:acme/platform:ref_type:branch:ref:*" },
                        }),
                    ),
                ],
                messages: [
                    `role "gl" trust statement 1 lets "project_path:acme/platform:ref_type:branch:ref:*" (any branch or tag) of ${GITLAB} assume the role: pin "${GITLAB}:sub" to one repository or project and its branch, tag or environment.`,
                ],
            },
            {
                what: "another OIDC provider with a wildcard subject",
                fixtures: [
                    role(
                        "o",
                        oidcTrust("auth.example.com", {
                            StringEquals: { "auth.example.com:aud": "aws" },
                            StringLike: { "auth.example.com:sub": "*" },
                        }),
                    ),
                ],
                messages: [
                    'role "o" trust statement 1 lets any subject of auth.example.com assume the role: pin "auth.example.com:sub" to one repository or project and its branch, tag or environment.',
                ],
            },
        ],
    },
    {
        policy: "iam-document-within-aws-quotas",
        pass: [
            { type: "aws:iam/policy:Policy", name: "fits", inputs: { tags: TAGS, policy: sizedPolicy(6144) } },
            role("trust-fits", sizedTrust(2048)),
        ],
        fail: [
            {
                what: "a managed policy one character over 6,144",
                fixtures: [{ type: "aws:iam/policy:Policy", name: "big", inputs: { tags: TAGS, policy: sizedPolicy(6145) } }],
                messages: [
                    'managed policy "big" is 6145 characters (white space not counted), over IAM\'s quota of 6144 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): split it or scope it down.',
                ],
            },
            {
                what: "a trust policy over 2,048",
                fixtures: [role("trust-big", sizedTrust(2049))],
                messages: [
                    'trust policy of role "trust-big" is 2049 characters (white space not counted), over IAM\'s quota of 2048 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): split it or scope it down.',
                ],
            },
            {
                what: "a role whose own inline policies exceed 10,240 together",
                fixtures: [
                    {
                        type: "aws:iam/role:Role",
                        name: "inline-big",
                        inputs: {
                            tags: TAGS,
                            assumeRolePolicy: sizedTrust(500),
                            inlinePolicies: [
                                { name: "a", policy: sizedPolicy(6000) },
                                { name: "b", policy: sizedPolicy(4241) },
                            ],
                        },
                    },
                ],
                messages: [
                    'inline policies of role "inline-big" is 10241 characters (white space not counted), over IAM\'s quota of 10240 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): split it or scope it down.',
                ],
            },
        ],
    },
    {
        policy: "iam-role-inline-policies-within-aws-quota",
        pass: [role("app", sizedTrust(300)), rolePolicy("p1", sizedPolicy(6000), "app"), rolePolicy("p2", sizedPolicy(4240), "app")],
        fail: [
            {
                what: "RolePolicies that fit one by one but not together",
                fixtures: [
                    role("app", sizedTrust(300)),
                    rolePolicy("p1", sizedPolicy(6000), "app"),
                    rolePolicy("p2", sizedPolicy(4241), "app"),
                ],
                messages: [
                    'inline policies of role "app" is 10241 characters (white space not counted), over IAM\'s quota of 10240 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): split it or scope it down.',
                ],
            },
        ],
    },
];

describe("policy pack rules", () => {
    for (const c of CASES) {
        describe(c.policy, () => {
            it("passes its compliant fixture", async () => {
                assert.deepEqual(await findings(c.policy, c.pass, c.passConfig), []);
            });
            for (const f of c.fail) {
                it(`catches ${f.what}`, async () => {
                    assert.deepEqual(await findings(c.policy, f.fixtures, f.config, f.stackTags), f.messages);
                });
            }
        });
    }

    it("every policy of the pack has cases here", () => {
        const covered = new Set([...CASES.map((c) => c.policy), "pack-report-exemptions"]);
        assert.deepEqual(
            policies.map((p) => p.name).filter((n) => !covered.has(n)),
            [],
        );
    });

    describe("preview with unknown values", () => {
        it("degrades to an advisory cannot-verify finding instead of failing or crashing", async () => {
            const violations = await analyzeResources([
                toInput({ type: "aws:kms/key:Key", name: "k", inputs: { enableKeyRotation: UNKNOWN_VALUE, tags: TAGS } }),
            ]);
            const finding = violations.find((v) => v.policy === "kms-key-require-rotation-and-safe-deletion");
            assert.ok(finding, JSON.stringify(violations));
            assert.equal(finding.enforcementLevel, "advisory");
            assert.match(finding.message, /can't run policy 'kms-key-require-rotation-and-safe-deletion' .* during preview/);
        });

        it("an unknown policy document is advisory too", async () => {
            const violations = await analyzeResources([toInput(rolePolicy("p", UNKNOWN_VALUE))]);
            assert.ok(violations.length > 0);
            assert.ok(
                violations.every((v) => v.enforcementLevel === "advisory"),
                JSON.stringify(violations),
            );
        });
    });

    describe("exemptions", () => {
        const config = (policy: string) => ({
            [policy]: { exemptions: [{ resourceName: "legacy", reason: "imported bucket, migration ticket PLAT-123" }] },
            "pack-report-exemptions": { exemptions: [{ resourceName: "legacy", reason: "imported bucket, migration ticket PLAT-123" }] },
        });

        it("an exempted resource passes the rule and is reported as advisory with its reason", async () => {
            const violations = await analyzeResources(
                [toInput(queue("legacy", { sqsManagedSseEnabled: false }))],
                config("sqs-queue-require-encryption"),
            );
            assert.deepEqual(
                violations.map((v) => [v.policy, v.enforcementLevel, v.message]),
                [
                    [
                        "pack-report-exemptions",
                        "advisory",
                        'exempted from sqs-queue-require-encryption (imported bucket, migration ticket PLAT-123): queue "legacy" is not encrypted: set sqsManagedSseEnabled true or kmsMasterKeyId.',
                    ],
                ],
            );
        });

        it("the platform's LINSTOR key is exempted by policy-config.json, only from the access-key rule, and reported with its reason", async () => {
            const linstor: Fixture = {
                type: "aws:secretsmanager/secretVersion:SecretVersion",
                name: "cip-prod-storage-s3-credentials-value",
                inputs: { secretId: "s", secretString: "[secret]" },
                dependsOn: [urnOf(accessKey)],
            };
            const violations = await analyzeResources([toInput(accessKey), toInput(linstor)], platformPolicyConfig());
            assert.deepEqual(
                violations.map((v) => [v.policy, v.enforcementLevel, v.message]),
                [
                    [
                        "pack-report-exemptions",
                        "advisory",
                        'exempted from aws-iam-deny-access-key-in-kubernetes (LINSTOR\'s S3 remote accepts only a static access key; the IAM user may reach only the DR bucket and its KMS key): SecretVersion "cip-prod-storage-s3-credentials-value" carries the static access key of "ci-user" into Kubernetes: give the workload an IRSA or Pod Identity role instead, or exempt it with the reason the consumer cannot use one.',
                    ],
                ],
            );
        });

        it("an exemption scoped to policies and matched by a name pattern leaves other policies enforced", async () => {
            const exemptions = [
                {
                    resourceName: "legacy-*",
                    policies: ["sqs-queue-require-encryption"],
                    reason: "imported queue, migration ticket PLAT-123",
                },
            ];
            const violations = await analyzeResources([toInput(queue("legacy-q", { sqsManagedSseEnabled: false, tags: {} }))], {
                "*": { exemptions },
            });
            assert.deepEqual(
                violations.map((v) => [v.policy, v.enforcementLevel]),
                [
                    ["aws-resource-require-org-tags", "mandatory"],
                    ["pack-report-exemptions", "advisory"],
                ],
            );
        });

        it("a namespace without an enforce label passes where exempted, and the exemption is reported", async () => {
            const bare: Fixture = {
                type: "kubernetes:core/v1:Namespace",
                name: "vendor-ns",
                inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "vendor" } },
            };
            const exemptions = [
                {
                    resourceName: "vendor-ns",
                    policies: ["kubernetes-namespace-require-pod-security"],
                    reason: "vendor operator manages its own admission, ticket PLAT-7",
                },
            ];
            const violations = await analyzeResources([toInput(bare)], { "*": { exemptions } });
            assert.deepEqual(
                violations.map((v) => [v.policy, v.enforcementLevel, v.message]),
                [
                    [
                        "pack-report-exemptions",
                        "advisory",
                        'exempted from kubernetes-namespace-require-pod-security (vendor operator manages its own admission, ticket PLAT-7): Namespace "vendor" enforces no Pod Security level: label it pod-security.kubernetes.io/enforce=restricted (or baseline; privileged only with an exemption).',
                    ],
                ],
            );
        });

        it('the shared block under "*" reaches every policy', async () => {
            const violations = await analyzeResources([toInput(queue("legacy", { sqsManagedSseEnabled: false, tags: {} }))], {
                "*": { exemptions: [{ resourceName: "legacy", reason: "imported bucket, migration ticket PLAT-123" }] },
            });
            assert.ok(
                violations.every((v) => v.policy === "pack-report-exemptions" && v.enforcementLevel === "advisory"),
                JSON.stringify(violations),
            );
            assert.equal(violations.length, 2);
        });
    });
});
