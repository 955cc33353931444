/** Encryption rules: customer-managed keys where data rests, TLS where it moves. */
import { PolicyResource } from "@pulumi/policy";
import { companionIndex, targetOf } from "./lib/companions";
import { parseDocument } from "./lib/iam-document";
import { byType, NO_FINDINGS, resourcePolicy, ResourceRule, stackPolicy, StackRule } from "./lib/rule";

const truthy = (v: unknown): boolean => v === true || v === "true";

export const eksSecretsRule: ResourceRule = {
    name: "eks-cluster-require-secrets-encryption",
    description: "EKS clusters envelope-encrypt Kubernetes Secrets with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    types: ["eks:index:Cluster", "aws:eks/cluster:Cluster"],
    check: (r) => {
        if (r.type === "eks:index:Cluster") {
            return r.props.encryptionConfigKeyArn
                ? NO_FINDINGS
                : [`cluster "${r.name}" does not encrypt Secrets: set encryptionConfigKeyArn to a customer-managed KMS key.`];
        }
        const config = r.props.encryptionConfig;
        const ok = config && Array.isArray(config.resources) && config.resources.includes("secrets") && config.provider?.keyArn;
        return ok
            ? NO_FINDINGS
            : [`cluster "${r.name}" does not encrypt Secrets: set encryptionConfig { resources: ["secrets"], provider.keyArn: <CMK> }.`];
    },
};

export const kmsKeyRule: ResourceRule = {
    name: "kms-key-require-rotation-and-safe-deletion",
    description: "Symmetric KMS keys rotate; every key keeps at least the minimum deletion window and never bypasses the lockout check.",
    enforcementLevel: "mandatory",
    types: ["aws:kms/key:Key"],
    check: (r, config) => {
        let problems: string[] | undefined;
        const spec = String(r.props.customerMasterKeySpec ?? r.props.keySpec ?? "SYMMETRIC_DEFAULT");
        const usage = String(r.props.keyUsage ?? "ENCRYPT_DECRYPT");
        if (spec === "SYMMETRIC_DEFAULT" && usage === "ENCRYPT_DECRYPT" && !truthy(r.props.enableKeyRotation)) {
            (problems ??= []).push(`key "${r.name}" is symmetric and does not rotate: set enableKeyRotation true.`);
        }
        const window = r.props.deletionWindowInDays === undefined ? 30 : Number(r.props.deletionWindowInDays);
        if (window < config.minKmsDeletionWindowDays) {
            (problems ??= []).push(`key "${r.name}" has a ${window}-day deletion window: use at least ${config.minKmsDeletionWindowDays}.`);
        }
        if (truthy(r.props.bypassPolicyLockoutSafetyCheck)) {
            (problems ??= []).push(`key "${r.name}" bypasses the key-policy lockout check: remove bypassPolicyLockoutSafetyCheck.`);
        }
        return problems ?? NO_FINDINGS;
    },
};

const AWS_MANAGED_SECRETS_KEY = /^(alias\/aws\/secretsmanager|arn:aws[a-z-]*:kms:[^:]+:\d+:alias\/aws\/secretsmanager)$/;

export const secretCmkRule: ResourceRule = {
    name: "secretsmanager-secret-require-cmk",
    description: "Secrets Manager secrets and their replicas use a customer-managed KMS key, not the AWS-managed one.",
    enforcementLevel: "mandatory",
    types: ["aws:secretsmanager/secret:Secret"],
    check: (r) => {
        let problems: string[] | undefined;
        const key = r.props.kmsKeyId;
        if (!key || AWS_MANAGED_SECRETS_KEY.test(String(key))) {
            (problems ??= []).push(`secret "${r.name}" uses the AWS-managed key: set kmsKeyId to a customer-managed key.`);
        }
        const replicas: unknown = r.props.replicas;
        if (Array.isArray(replicas)) {
            replicas.forEach((replica: { region?: string; kmsKeyId?: string }) => {
                if (!replica.kmsKeyId || AWS_MANAGED_SECRETS_KEY.test(String(replica.kmsKeyId))) {
                    (problems ??= []).push(
                        `secret "${r.name}" replica in ${replica.region ?? "?"} uses the AWS-managed key: set its kmsKeyId.`,
                    );
                }
            });
        }
        return problems ?? NO_FINDINGS;
    },
};

export const ebsRule: ResourceRule = {
    name: "ec2-volume-require-cmk-encryption",
    description: "EBS volumes and launch-template block devices are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    types: ["aws:ebs/volume:Volume", "aws:ec2/launchTemplate:LaunchTemplate"],
    check: (r) => {
        if (r.type === "aws:ebs/volume:Volume") {
            return truthy(r.props.encrypted) && r.props.kmsKeyId
                ? NO_FINDINGS
                : [`volume "${r.name}" is not encrypted with a CMK: set encrypted true and kmsKeyId.`];
        }
        const devices = Array.isArray(r.props.blockDeviceMappings) ? r.props.blockDeviceMappings : [];
        return devices
            .filter((d: { ebs?: { encrypted?: unknown; kmsKeyId?: unknown } }) => d.ebs && !(truthy(d.ebs.encrypted) && d.ebs.kmsKeyId))
            .map(
                (d: { deviceName?: string }) =>
                    `launch template "${r.name}" device ${d.deviceName ?? "?"} is not encrypted with a CMK: set ebs.encrypted "true" and ebs.kmsKeyId.`,
            );
    },
};

export const storageClassRule: ResourceRule = {
    name: "kubernetes-storageclass-require-ebs-encryption",
    description: "StorageClasses that provision EBS volumes encrypt them.",
    enforcementLevel: "mandatory",
    types: ["kubernetes:storage.k8s.io/v1:StorageClass"],
    check: (r) =>
        r.props.provisioner === "ebs.csi.aws.com" && r.props.parameters?.encrypted !== "true"
            ? [
                  `StorageClass "${r.props.metadata?.name ?? r.name}" provisions unencrypted EBS volumes: set parameters.encrypted "true" (and kmsKeyId).`,
              ]
            : NO_FINDINGS,
};

export const sqsRule: ResourceRule = {
    name: "sqs-queue-require-encryption",
    description: "SQS queues encrypt messages at rest (SSE-SQS or a KMS key).",
    enforcementLevel: "mandatory",
    types: ["aws:sqs/queue:Queue"],
    check: (r) =>
        truthy(r.props.sqsManagedSseEnabled) || r.props.kmsMasterKeyId
            ? NO_FINDINGS
            : [`queue "${r.name}" is not encrypted: set sqsManagedSseEnabled true or kmsMasterKeyId.`],
};

export const logGroupRule: ResourceRule = {
    name: "cloudwatch-loggroup-require-cmk",
    description: "CloudWatch log groups are encrypted with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: (r) => (r.props.kmsKeyId ? NO_FINDINGS : [`log group "${r.name}" uses CloudWatch's default encryption: set kmsKeyId to a CMK.`]),
};

export const ecrRule: ResourceRule = {
    name: "ecr-repository-require-kms-immutable-scan",
    description: "ECR repositories use KMS encryption, immutable tags and scan on push.",
    enforcementLevel: "mandatory",
    types: ["aws:ecr/repository:Repository"],
    check: (r) => {
        let problems: string[] | undefined;
        const encryption = Array.isArray(r.props.encryptionConfigurations) ? r.props.encryptionConfigurations[0] : undefined;
        if (!encryption || encryption.encryptionType !== "KMS") {
            (problems ??= []).push(
                `repository "${r.name}" is not KMS-encrypted: set encryptionConfigurations [{ encryptionType: "KMS", kmsKey }].`,
            );
        }
        if (r.props.imageTagMutability !== "IMMUTABLE") {
            (problems ??= []).push(`repository "${r.name}" allows tags to be overwritten: set imageTagMutability IMMUTABLE.`);
        }
        if (!truthy(r.props.imageScanningConfiguration?.scanOnPush)) {
            (problems ??= []).push(`repository "${r.name}" does not scan on push: set imageScanningConfiguration.scanOnPush true.`);
        }
        return problems ?? NO_FINDINGS;
    },
};

const STRONG_CA_KEYS = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"];

export const caRule: ResourceRule = {
    name: "acmpca-ca-require-strong-config",
    description:
        "Private CAs use RSA 2048+/EC P-256+ keys and SHA-256+ signing, publish revocation (CRL or OCSP) and keep a permanent-deletion period.",
    enforcementLevel: "mandatory",
    types: ["aws:acmpca/certificateAuthority:CertificateAuthority"],
    check: (r, config) => {
        let problems: string[] | undefined;
        const cfg = r.props.certificateAuthorityConfiguration ?? {};
        if (!STRONG_CA_KEYS.includes(String(cfg.keyAlgorithm))) {
            (problems ??= []).push(
                `CA "${r.name}" key algorithm ${String(cfg.keyAlgorithm)} is too weak: use ${STRONG_CA_KEYS.join(", ")}.`,
            );
        }
        if (!/^SHA(256|384|512)WITH(RSA|ECDSA)$/.test(String(cfg.signingAlgorithm))) {
            (problems ??= []).push(`CA "${r.name}" signing algorithm ${String(cfg.signingAlgorithm)} is too weak: use SHA256 or stronger.`);
        }
        const revocation = r.props.revocationConfiguration ?? {};
        if (!truthy(revocation.crlConfiguration?.enabled) && !truthy(revocation.ocspConfiguration?.enabled)) {
            (problems ??= []).push(`CA "${r.name}" publishes no revocation: enable a CRL or OCSP.`);
        }
        const days = r.props.permanentDeletionTimeInDays === undefined ? 30 : Number(r.props.permanentDeletionTimeInDays);
        if (days < config.minCaPermanentDeletionDays) {
            (problems ??= []).push(
                `CA "${r.name}" is permanently deleted after ${days} days: keep at least ${config.minCaPermanentDeletionDays}.`,
            );
        }
        return problems ?? NO_FINDINGS;
    },
};

const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const SSE_TYPES = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];

type SseRule = { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string }; bucketKeyEnabled?: unknown };

function sseOk(rules: unknown): boolean {
    return (
        Array.isArray(rules) &&
        rules.some(
            (rule: SseRule) =>
                String(rule.applyServerSideEncryptionByDefault?.sseAlgorithm).startsWith("aws:kms") && truthy(rule.bucketKeyEnabled),
        )
    );
}

function deniesInsecureTransport(policy: unknown): boolean {
    return (parseDocument(policy) ?? []).some(
        (s) =>
            s.effect === "Deny" &&
            (s.principals["*"] !== undefined || (s.principals.AWS ?? []).includes("*")) &&
            Object.entries(s.conditions).some(
                ([op, block]) => op.startsWith("Bool") && (block["aws:SecureTransport"] ?? []).includes("false"),
            ),
    );
}

export const s3Rule: StackRule = {
    name: "s3-bucket-require-kms-and-tls",
    description:
        "S3 buckets use SSE-KMS with a bucket key and a policy that denies non-TLS requests, whether configured inline or in the separate bucket resources (linked by reference or by the bucket name they configure).",
    enforcementLevel: "mandatory",
    reads: [...BUCKET_TYPES, ...SSE_TYPES, "aws:s3/bucketPolicy:BucketPolicy"],
    check: (resources) => {
        const index = byType(resources);
        const buckets = BUCKET_TYPES.flatMap((t) => index.get(t) ?? []);
        if (buckets.length === 0) {
            return [];
        }
        // Companions name their bucket by name (the `bucket` input); after an update the bucket's id and ARN are known too.
        const companions = companionIndex(buckets, ["bucket", "id", "arn"]);
        const encrypted = new Set<PolicyResource>();
        const tlsOnly = new Set<PolicyResource>();
        for (const type of SSE_TYPES) {
            for (const sse of index.get(type) ?? []) {
                const bucket = targetOf(sse, companions, "bucket");
                if (bucket && sseOk(sse.props.rules)) {
                    encrypted.add(bucket);
                }
            }
        }
        for (const policy of index.get("aws:s3/bucketPolicy:BucketPolicy") ?? []) {
            const bucket = targetOf(policy, companions, "bucket");
            if (bucket && deniesInsecureTransport(policy.props.policy)) {
                tlsOnly.add(bucket);
            }
        }
        return buckets.flatMap((b) => {
            const problems: string[] = [];
            const inline = b.props.serverSideEncryptionConfiguration?.rule;
            if (!encrypted.has(b) && !sseOk(inline ? [inline] : undefined)) {
                problems.push(
                    `bucket "${b.name}" is not encrypted with SSE-KMS and a bucket key: add a server-side encryption configuration (aws:kms, bucketKeyEnabled).`,
                );
            }
            if (!tlsOnly.has(b) && !deniesInsecureTransport(b.props.policy)) {
                problems.push(`bucket "${b.name}" accepts plain-HTTP requests: add a bucket policy that denies aws:SecureTransport false.`);
            }
            return problems.map((message) => ({ urn: b.urn, name: b.name, tags: b.props.tags, message }));
        });
    },
};

export const encryptionRules = [
    eksSecretsRule,
    kmsKeyRule,
    secretCmkRule,
    ebsRule,
    storageClassRule,
    sqsRule,
    logGroupRule,
    ecrRule,
    caRule,
];
export const encryptionPolicies = [...encryptionRules.map(resourcePolicy), stackPolicy(s3Rule)];
