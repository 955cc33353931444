/**
 * LINSTOR's S3 key (components/storage/policies.ts) built directly and simulated against the calls LINSTOR's S3 remote
 * makes with it (LINBIT/linstor-server server/src/main/java/com/linbit/linstor/api/BackupToS3.java, AWS SDK for Java
 * v1): a shipment is a multipart upload (initiateMultipartUpload, uploadPart, completeMultipartUpload: all authorized as
 * s3:PutObject; abortMultipartUpload on failure), the `.meta` file a putObject, a restore getObject, the backup list
 * listObjectsV2 (s3:ListBucket), and pruning deleteObjects or deleteObject (s3:DeleteObject per key); every object is
 * encrypted under the DR bucket's key, which S3 uses on the caller's behalf. Nothing outside that bucket and key.
 */
import { strict as assert } from "node:assert";
import { drUserPermissions } from "../../../components/storage/policies";
import { simulate, keyDelegatedToAccount } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const BUCKET = "arn:aws:s3:::cip-dev-storage-dr-0a1b2c3";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const USER = `arn:aws:iam::${ACCOUNT}:user/ciplatform/cip-dev-storage-snapshots-0a1b2c3`;
/** A backup as LINSTOR names it: `<resource>_<volume>_<snapshot>` data objects beside a `.meta` file. */
const BACKUP = `${BUCKET}/pvc-4f1e_00000_back_20261206_120000`;
const VIA_S3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };

/** The key's policy delegates to the account's IAM policies, so the role's own policy decides its use of the key. */
const KEY_POLICY = keyDelegatedToAccount(ACCOUNT);

const call = (action: string, resource: string, context: Record<string, string> = {}) =>
    simulate({
        resourcePolicy: resource.startsWith("arn:aws:kms:") ? KEY_POLICY : undefined,
        identityPolicies: [drUserPermissions(BUCKET, KEY, REGION)],
        principal: USER,
        action,
        resource,
        context,
    });

describe("LINSTOR's S3 key (components/storage/policies.ts)", () => {
    it("names each statement for what it allows", () => {
        assert.deepEqual(
            drUserPermissions(BUCKET, KEY, REGION).Statement.map((s) => s.Sid),
            ["SnapshotObjects", "SnapshotBucket", "SnapshotKey"],
        );
    });

    it("allows what BackupToS3 does: multipart shipment and its abort, the .meta file, restore, list, prune", async () => {
        // initiateMultipartUpload, uploadPart, completeMultipartUpload and putObject (.meta) are all s3:PutObject.
        assert.equal(await call("s3:PutObject", BACKUP), "Allowed");
        assert.equal(await call("s3:PutObject", `${BACKUP}.meta`), "Allowed");
        assert.equal(await call("s3:AbortMultipartUpload", BACKUP), "Allowed");
        assert.equal(await call("s3:GetObject", `${BACKUP}.meta`), "Allowed");
        assert.equal(await call("s3:DeleteObject", BACKUP), "Allowed");
        assert.equal(await call("s3:ListBucket", BUCKET), "Allowed");
    });

    it("also grants the multipart listings and GetBucketLocation, which BackupToS3 does not call", async () => {
        // Asserted so that narrowing or widening the grant is a deliberate change, not a silent one.
        assert.equal(await call("s3:ListMultipartUploadParts", BACKUP), "Allowed");
        assert.equal(await call("s3:ListBucketMultipartUploads", BUCKET), "Allowed");
        assert.equal(await call("s3:GetBucketLocation", BUCKET), "Allowed");
    });

    it("encrypts and decrypts through S3 in its region with the DR key only", async () => {
        assert.equal(await call("kms:GenerateDataKey", KEY, VIA_S3), "Allowed", "a part or the .meta file is written");
        assert.equal(await call("kms:Decrypt", KEY, VIA_S3), "Allowed", "a multipart upload completes, a restore reads");
        assert.equal(await call("kms:Decrypt", KEY), "ImplicitlyDenied", "the key itself, not through S3");
        assert.equal(await call("kms:Decrypt", KEY, { "kms:ViaService": "s3.us-east-1.amazonaws.com" }), "ImplicitlyDenied");
        assert.equal(await call("kms:Decrypt", KEY, { "kms:ViaService": `ec2.${REGION}.amazonaws.com` }), "ImplicitlyDenied");
        assert.equal(
            await call("kms:Decrypt", `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab`, VIA_S3),
            "ImplicitlyDenied",
            "another key",
        );
        for (const action of ["kms:Encrypt", "kms:CreateGrant", "kms:DisableKey", "kms:ScheduleKeyDeletion"]) {
            assert.equal(await call(action, KEY, VIA_S3), "ImplicitlyDenied", action);
        }
    });

    it("denies another bucket, the bucket's own settings and its versions (a leaked key cannot erase history)", async () => {
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]) {
            assert.equal(await call(action, "arn:aws:s3:::cip-dev-runners-cache/arm64/x"), "ImplicitlyDenied", action);
        }
        assert.equal(await call("s3:ListBucket", "arn:aws:s3:::cip-dev-runners-cache"), "ImplicitlyDenied");
        assert.equal(await call("s3:ListBucketMultipartUploads", "arn:aws:s3:::cip-dev-runners-cache"), "ImplicitlyDenied");
        assert.equal(await call("s3:GetBucketLocation", "arn:aws:s3:::cip-dev-runners-cache"), "ImplicitlyDenied");
        // Object versions are the DR history (the bucket is versioned): no version may be read around or deleted.
        assert.equal(await call("s3:DeleteObjectVersion", BACKUP), "ImplicitlyDenied");
        assert.equal(await call("s3:GetObjectVersion", BACKUP), "ImplicitlyDenied");
        for (const action of ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration"]) {
            assert.equal(await call(action, BUCKET), "ImplicitlyDenied", action);
        }
        // BackupToS3 asks isRequesterPaysEnabled (GetBucketRequestPayment) before each call; since linstor-server v1.19.0
        // (b208cb049, `getRequesterPays`) a refusal is caught and the remote ships without requester-pays, so the key
        // needs no read of the bucket's payment setting.
        assert.equal(await call("s3:GetBucketRequestPayment", BUCKET), "ImplicitlyDenied");
    });
});
