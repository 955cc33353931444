import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument, PolicyDocument, Statement, toJson } from "./iam-documents";
import { serviceKeyPolicy } from "./kms-policies";

/** Arguments of a private, encrypted S3 bucket. */
export interface EncryptedBucketArgs {
    readonly region: string;
    readonly accountId: string;
    /** What the bucket holds (key and bucket descriptions). */
    readonly purpose: string;
    /** Key policy of the bucket's own CMK. @default - the account administers it, S3 uses it */
    readonly keyPolicy?: PolicyDocument;
    /** Keep object versions (and expire old ones after `noncurrentVersionExpirationDays`). @default true */
    readonly versioning?: boolean;
    /** Days before a non-current version is deleted. @default 30 */
    readonly noncurrentVersionExpirationDays?: number;
    /** Days before current objects expire (caches). @default - never */
    readonly expirationDays?: number;
    /** Extra bucket-policy statements; `${bucketArn}` is substituted in resources. @default [] */
    readonly statements?: (bucketArn: string) => Statement[];
    /** Days before a deleted key is destroyed. @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the bucket and key; keep the bucket if the stack is destroyed. @default true */
    readonly protect?: boolean;
}

/**
 * An S3 bucket that is private (every public-access block on, ACLs disabled), encrypted with its
 * own rotating CMK and an S3 bucket key, TLS-only, optionally versioned with old versions expired.
 */
export class EncryptedBucket extends pulumi.ComponentResource {
    /** Bucket name. */
    public readonly bucket: pulumi.Output<string>;
    /** Bucket ARN. */
    public readonly arn: pulumi.Output<string>;
    /** ARN of the bucket's KMS key. */
    public readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: EncryptedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:storage:EncryptedBucket", name, {}, opts);

        // Defaults, resolved once.
        const versioning = args.versioning ?? true;
        const noncurrentDays = args.noncurrentVersionExpirationDays ?? 30;
        const protect = args.protect ?? true;
        const deletionWindowInDays = args.kmsDeletionWindowDays ?? 30;

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `${args.purpose}: S3 bucket encryption`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(args.keyPolicy ?? serviceKeyPolicy(args.accountId, args.region, "s3")),
            },
            { parent: this, protect },
        );
        const bucket = new aws.s3.Bucket(`${name}`, { forceDestroy: false }, { parent: this, protect, retainOnDelete: protect });
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            { parent: this },
        );
        new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true },
                ],
            },
            { parent: this },
        );
        if (versioning) {
            new aws.s3.BucketVersioning(
                `${name}-versioning`,
                { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
                { parent: this },
            );
        }
        const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
            { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
            ...(versioning
                ? [{ id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays } }]
                : []),
            ...(args.expirationDays
                ? [{ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: args.expirationDays } }]
                : []),
        ];
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.id, rules }, { parent: this });
        new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucket.id,
                policy: toJson(
                    bucket.arn.apply((arn) =>
                        policyDocument(...(args.statements?.(arn) ?? []), denyInsecureTransport("s3:*", [arn, `${arn}/*`])),
                    ),
                ),
            },
            { parent: this },
        );

        this.bucket = bucket.bucket;
        this.arn = bucket.arn;
        this.kmsKeyArn = key.arn;
        this.registerOutputs({ bucket: this.bucket, arn: this.arn, kmsKeyArn: this.kmsKeyArn });
    }
}
