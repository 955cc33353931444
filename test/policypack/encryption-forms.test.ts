/**
 * The encryption rules (policypack/encryption.ts) by form: each key spec and usage, deletion windows at
 * the configured minimum, launch-template devices, StorageClass provisioners, CA algorithms anchored as
 * ACM PCA names them, and S3 buckets made TLS-only or encrypted inline or through companion resources
 * (by name), with each way a TLS-deny statement may be written.
 */
import { strict as assert } from "node:assert";
import type { PolicyResource } from "@pulumi/policy";
import { DEFAULT_CONFIG } from "../../policypack/config";
import { caRule, ecrRule, eksSecretsRule, ebsRule, kmsKeyRule, s3Rule, secretCmkRule, storageClassRule } from "../../policypack/encryption";
import { ResourceRule } from "../../policypack/lib/rule";
import { policyResource } from "../helpers/policy-resource";

type Json = Record<string, unknown>;
const check = (rule: ResourceRule, type: string, props: Json, name = "x", config = DEFAULT_CONFIG) =>
    rule.check({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props, stackTags: new Map() }, config);

describe("encryption rules by form (policypack/encryption.ts)", () => {
    it("eks-cluster-require-secrets-encryption: the raw cluster needs secrets in resources and a provider key", () => {
        const missing = ['cluster "x" does not encrypt Secrets: set encryptionConfig { resources: ["secrets"], provider.keyArn: <CMK> }.'];
        const C = "aws:eks/cluster:Cluster";
        assert.deepEqual(check(eksSecretsRule, C, { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:k" } } }), []);
        assert.deepEqual(check(eksSecretsRule, C, { encryptionConfig: { resources: ["secrets"] } }), missing);
        assert.deepEqual(
            check(eksSecretsRule, C, { encryptionConfig: { resources: ["configmaps"], provider: { keyArn: "arn:k" } } }),
            missing,
        );
        assert.deepEqual(check(eksSecretsRule, C, { encryptionConfig: { resources: "secrets", provider: { keyArn: "arn:k" } } }), missing);
    });

    it("kms-key-require-rotation-and-safe-deletion: rotation for symmetric encryption keys only; the window at the minimum passes", () => {
        const noRotation = 'key "x" is symmetric and does not rotate: set enableKeyRotation true.';
        const K = "aws:kms/key:Key";
        assert.deepEqual(check(kmsKeyRule, K, {}), [noRotation]);
        assert.deepEqual(
            check(kmsKeyRule, K, { keySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: "true" }),
            [],
        );
        assert.deepEqual(check(kmsKeyRule, K, { customerMasterKeySpec: "RSA_2048", keySpec: "SYMMETRIC_DEFAULT" }), []);
        assert.deepEqual(check(kmsKeyRule, K, { keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }), []);
        assert.deepEqual(check(kmsKeyRule, K, { keyUsage: "SIGN_VERIFY" }), []);
        const min = DEFAULT_CONFIG.minKmsDeletionWindowDays;
        assert.deepEqual(check(kmsKeyRule, K, { enableKeyRotation: true, deletionWindowInDays: min }), []);
        assert.deepEqual(check(kmsKeyRule, K, { enableKeyRotation: true, deletionWindowInDays: String(min - 1) }), [
            `key "x" has a ${min - 1}-day deletion window: use at least ${min}.`,
        ]);
        // No window given is KMS's default, 30 days: below a minimum of 31.
        assert.deepEqual(check(kmsKeyRule, K, { enableKeyRotation: true }, "x", { ...DEFAULT_CONFIG, minKmsDeletionWindowDays: 31 }), [
            'key "x" has a 30-day deletion window: use at least 31.',
        ]);
    });

    it("secretsmanager-secret-require-cmk: the secret and each replica need a customer-managed key", () => {
        const S = "aws:secretsmanager/secret:Secret";
        const CMK = "arn:aws:kms:eu-west-1:123456789012:key/1";
        assert.deepEqual(check(secretCmkRule, S, { kmsKeyId: CMK, replicas: [{ region: "eu-central-1", kmsKeyId: CMK }] }), []);
        assert.deepEqual(
            check(secretCmkRule, S, {
                kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:alias/aws/secretsmanager",
                replicas: [{ region: "eu-central-1" }, { kmsKeyId: "alias/aws/secretsmanager" }],
            }),
            [
                'secret "x" uses the AWS-managed key: set kmsKeyId to a customer-managed key.',
                'secret "x" replica in eu-central-1 uses the AWS-managed key: set its kmsKeyId.',
                'secret "x" replica in ? uses the AWS-managed key: set its kmsKeyId.',
            ],
        );
    });

    it("ecr-repository-require-kms-immutable-scan: no encryption configuration, or not KMS, is reported", () => {
        const R = "aws:ecr/repository:Repository";
        const rest = { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } };
        const notKms = 'repository "x" is not KMS-encrypted: set encryptionConfigurations [{ encryptionType: "KMS", kmsKey }].';
        assert.deepEqual(check(ecrRule, R, { ...rest, encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "k" }] }), []);
        for (const encryptionConfigurations of [undefined, [], [{ encryptionType: "AES256" }], { encryptionType: "KMS" }]) {
            assert.deepEqual(check(ecrRule, R, { ...rest, encryptionConfigurations }), [notKms], JSON.stringify(encryptionConfigurations));
        }
    });

    it("ec2-volume-require-cmk-encryption: launch-template devices need encrypted and a key; devices without ebs are not volumes", () => {
        const LT = "aws:ec2/launchTemplate:LaunchTemplate";
        const device = (deviceName: string | undefined, ebs: Json | undefined) => ({ deviceName, ebs });
        assert.deepEqual(
            check(ebsRule, LT, {
                blockDeviceMappings: [
                    device("/dev/xvda", { encrypted: "true", kmsKeyId: "arn:k" }),
                    device("/dev/xvdb", { encrypted: "true" }),
                    device(undefined, { kmsKeyId: "arn:k" }),
                    device("/dev/sdc", undefined),
                ],
            }),
            [
                'launch template "x" device /dev/xvdb is not encrypted with a CMK: set ebs.encrypted "true" and ebs.kmsKeyId.',
                'launch template "x" device ? is not encrypted with a CMK: set ebs.encrypted "true" and ebs.kmsKeyId.',
            ],
        );
        assert.deepEqual(check(ebsRule, LT, { blockDeviceMappings: { deviceName: "/dev/xvda" } }), []);
    });

    it("kubernetes-storageclass-require-ebs-encryption: EBS CSI classes only, named by metadata.name or resource name", () => {
        const SC = "kubernetes:storage.k8s.io/v1:StorageClass";
        const unencrypted = (name: string) =>
            `StorageClass "${name}" provisions unencrypted EBS volumes: set parameters.encrypted "true" (and kmsKeyId).`;
        assert.deepEqual(
            check(storageClassRule, SC, { provisioner: "ebs.csi.aws.com", metadata: { name: "gp3" }, parameters: { encrypted: true } }),
            [unencrypted("gp3")],
        );
        assert.deepEqual(check(storageClassRule, SC, { provisioner: "ebs.csi.aws.com" }), [unencrypted("x")]);
        assert.deepEqual(check(storageClassRule, SC, { provisioner: "ebs.csi.aws.com", parameters: { encrypted: "true" } }), []);
        assert.deepEqual(check(storageClassRule, SC, { provisioner: "linstor.csi.linbit.com" }), []);
    });

    it("acmpca-ca-require-strong-config: signing algorithms as ACM PCA names them, exactly; the deletion period at the minimum passes", () => {
        const CA = "aws:acmpca/certificateAuthority:CertificateAuthority";
        const base = {
            revocationConfiguration: { crlConfiguration: { enabled: true } },
            permanentDeletionTimeInDays: DEFAULT_CONFIG.minCaPermanentDeletionDays,
        };
        const ca = (signingAlgorithm: string) =>
            check(caRule, CA, { ...base, certificateAuthorityConfiguration: { keyAlgorithm: "EC_prime256v1", signingAlgorithm } });
        assert.deepEqual(ca("SHA384WITHECDSA"), []);
        for (const weak of ["SHA1WITHRSA", "XSHA256WITHRSA", "SHA256WITHRSAX"]) {
            assert.deepEqual(ca(weak), [`CA "x" signing algorithm ${weak} is too weak: use SHA256 or stronger.`], weak);
        }
        const min = DEFAULT_CONFIG.minCaPermanentDeletionDays;
        const deletion = check(caRule, CA, {
            ...base,
            permanentDeletionTimeInDays: min - 1,
            certificateAuthorityConfiguration: { keyAlgorithm: "RSA_2048", signingAlgorithm: "SHA256WITHRSA" },
        });
        assert.deepEqual(deletion, [`CA "x" is permanently deleted after ${min - 1} days: keep at least ${min}.`]);
        // No period given is ACM PCA's default, 30 days: below a minimum of 31.
        const { permanentDeletionTimeInDays: _given, ...defaultPeriod } = base;
        assert.deepEqual(
            check(
                caRule,
                CA,
                { ...defaultPeriod, certificateAuthorityConfiguration: { keyAlgorithm: "RSA_2048", signingAlgorithm: "SHA256WITHRSA" } },
                "x",
                { ...DEFAULT_CONFIG, minCaPermanentDeletionDays: 31 },
            ),
            ['CA "x" is permanently deleted after 30 days: keep at least 31.'],
        );
    });

    describe("s3-bucket-require-kms-and-tls", () => {
        const resource = (type: string, name: string, props: Json): PolicyResource => policyResource(type, name, { props });
        const bucket = (props: Json = {}) => resource("aws:s3/bucketV2:BucketV2", "b", { bucket: "my-bucket", ...props });
        const sse = (rules: unknown, bucketName = "my-bucket") =>
            resource("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "sse", {
                bucket: bucketName,
                rules,
            });
        const kms = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }];
        const tlsDeny = (statement: Json) => ({ Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*", ...statement }] });
        const policy = (doc: unknown, bucketName = "my-bucket") =>
            resource("aws:s3/bucketPolicy:BucketPolicy", "p", { bucket: bucketName, policy: JSON.stringify(doc) });
        const messages = (resources: PolicyResource[]) => s3Rule.check(resources, DEFAULT_CONFIG, new Map()).map((f) => f.message);
        const NOT_ENCRYPTED =
            'bucket "b" is not encrypted with SSE-KMS and a bucket key: add a server-side encryption configuration (aws:kms, bucketKeyEnabled).';
        const PLAIN_HTTP = 'bucket "b" accepts plain-HTTP requests: add a bucket policy that denies aws:SecureTransport false.';
        const secure = { Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };

        it("companions linked by the bucket name; a companion of another bucket does not count", () => {
            assert.deepEqual(messages([bucket(), sse(kms), policy(tlsDeny(secure))]), []);
            assert.deepEqual(messages([bucket(), sse(kms, "other"), policy(tlsDeny(secure), "other")]), [NOT_ENCRYPTED, PLAIN_HTTP]);
            assert.deepEqual(messages([sse(kms), policy(tlsDeny(secure))]), []);
            // After an update the bucket's id and ARN are known, and a companion may name either.
            const known = { id: "bucket-id-1", arn: "arn:aws:s3:::bucket-arn-1" };
            assert.deepEqual(messages([bucket(known), sse(kms, "bucket-id-1"), policy(tlsDeny(secure), "arn:aws:s3:::bucket-arn-1")]), []);
            assert.deepEqual(messages([bucket(known), sse(kms, "arn:aws:s3:::bucket-arn-1"), policy(tlsDeny(secure), "bucket-id-1")]), []);
        });
        it("SSE-KMS (or DSSE-KMS) with a bucket key in any rule, inline or as a companion", () => {
            assert.deepEqual(
                messages([
                    bucket(),
                    sse([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }, ...kms]),
                    policy(tlsDeny(secure)),
                ]),
                [],
            );
            assert.deepEqual(
                messages([
                    bucket(),
                    sse([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms:dsse" }, bucketKeyEnabled: "true" }]),
                    policy(tlsDeny(secure)),
                ]),
                [],
            );
            assert.deepEqual(
                messages([bucket(), sse([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }]), policy(tlsDeny(secure))]),
                [NOT_ENCRYPTED],
            );
            assert.deepEqual(messages([bucket(), sse([{ bucketKeyEnabled: true }]), policy(tlsDeny(secure))]), [NOT_ENCRYPTED]);
            assert.deepEqual(
                messages([
                    bucket(),
                    sse([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "xaws:kms" }, bucketKeyEnabled: true }]),
                    policy(tlsDeny(secure)),
                ]),
                [NOT_ENCRYPTED],
            );
            assert.deepEqual(messages([bucket({ serverSideEncryptionConfiguration: { rule: kms[0] } }), policy(tlsDeny(secure))]), []);
        });
        it('a Deny to "*" (or AWS "*") with Bool or BoolIfExists aws:SecureTransport false; other forms are no TLS guard', () => {
            for (const statement of [
                secure,
                { Principal: { AWS: ["*"] }, Condition: { BoolIfExists: { "aws:SecureTransport": ["false"] } } },
            ]) {
                assert.deepEqual(
                    messages([bucket({ policy: JSON.stringify(tlsDeny(statement)) }), sse(kms)]),
                    [],
                    JSON.stringify(statement),
                );
            }
            for (const statement of [
                { ...secure, Effect: "Allow" },
                { ...secure, Principal: { AWS: "arn:aws:iam::123456789012:root" } },
                { Principal: "*", Condition: { StringEquals: { "aws:SecureTransport": "false" } } },
                { Principal: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } },
                { Principal: "*" },
            ]) {
                assert.deepEqual(messages([bucket(), sse(kms), policy(tlsDeny(statement))]), [PLAIN_HTTP], JSON.stringify(statement));
            }
        });
    });
});
