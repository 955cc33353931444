/** Small, pure statistics and synthetic-stack helpers for the benchmark (tested in test/bench). */

export interface Summary {
    readonly median: number;
    readonly min: number;
    readonly max: number;
    readonly runs: number;
}

export function summarize(samples: readonly number[]): Summary {
    if (samples.length === 0) {
        throw new Error("summarize: no samples");
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

const TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** A synthetic resource: what a reviewer would hand `npm run policy`. */
export interface SyntheticResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/**
 * A realistic mix, repeated: IAM roles and policies with documents, KMS keys, S3 buckets with
 * their encryption and policy resources, Secrets Manager secrets, EKS clusters, SQS queues, log
 * groups, Helm releases and Karpenter objects. Deterministic: the same count gives the same stack.
 */
export function syntheticStack(count: number): SyntheticResource[] {
    const templates: Array<(i: number) => SyntheticResource> = [
        (i) => ({
            type: "aws:iam/role:Role",
            name: `role-${i}`,
            inputs: {
                tags: TAGS,
                assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
            },
        }),
        (i) => ({
            type: "aws:iam/rolePolicy:RolePolicy",
            name: `policy-${i}`,
            inputs: {
                role: `role-${i}`,
                policy: doc(
                    { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `arn:aws:s3:::bucket-${i}/*` },
                    { Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
                ),
            },
        }),
        (i) => ({ type: "aws:kms/key:Key", name: `key-${i}`, inputs: { tags: TAGS, enableKeyRotation: true, deletionWindowInDays: 30 } }),
        (i) => ({
            type: "aws:s3/bucket:Bucket",
            name: `bucket-${i}`,
            inputs: {
                tags: TAGS,
                serverSideEncryptionConfiguration: {
                    rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true },
                },
            },
        }),
        (i) => ({
            type: "aws:s3/bucketPolicy:BucketPolicy",
            name: `bucket-policy-${i}`,
            inputs: {
                bucket: `bucket-${i}`,
                policy: doc({
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: "*",
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                }),
            },
        }),
        (i) => ({
            type: "aws:secretsmanager/secret:Secret",
            name: `secret-${i}`,
            inputs: { tags: { ...TAGS, ekssecret: "team" }, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" },
        }),
        (i) => ({ type: "aws:sqs/queue:Queue", name: `queue-${i}`, inputs: { tags: TAGS, sqsManagedSseEnabled: true } }),
        (i) => ({
            type: "aws:cloudwatch/logGroup:LogGroup",
            name: `logs-${i}`,
            inputs: { tags: TAGS, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k", retentionInDays: 90 },
        }),
        (i) => ({
            type: "aws:eks/cluster:Cluster",
            name: `cluster-${i}`,
            inputs: {
                tags: TAGS,
                encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/k" } },
            },
        }),
        (i) => ({
            type: "kubernetes:helm.sh/v3:Release",
            name: `release-${i}`,
            inputs: { chart: "external-secrets", version: "2.9.0", repositoryOpts: { repo: "https://charts.external-secrets.io" } },
        }),
        (i) => ({
            type: "kubernetes:karpenter.sh/v1:NodePool",
            name: `pool-${i}`,
            inputs: { apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: `pool-${i}` }, spec: { limits: { cpu: "100" } } },
        }),
    ];
    return Array.from({ length: count }, (_, i) => templates[i % templates.length](i));
}

export function typeMix(resources: readonly SyntheticResource[]): Record<string, number> {
    const mix: Record<string, number> = {};
    for (const r of resources) {
        mix[r.type] = (mix[r.type] ?? 0) + 1;
    }
    return mix;
}
