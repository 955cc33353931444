/**
 * The GitLab runner managers' cache role (components/gitlab-runners/policies.ts) built directly and simulated against
 * the calls gitlab-runner makes with it: the manager signs a GET and a PUT URL per cache key, the PUT with SSE-KMS
 * under the bucket's key (gitlab-runner cache/s3v2/s3.go `PresignURL`: PresignGetObject, PresignPutObject with
 * ServerSideEncryption aws:kms and SSEKMSKeyId), and the job pod fetches and uploads through them, so S3 authorizes
 * GetObject and PutObject as the manager's role and calls KMS through S3 as that role. Nothing outside the cache bucket
 * or its key is allowed.
 */
import { strict as assert } from "node:assert";
import { cachePermissions } from "../../../components/gitlab-runners/policies";
import { simulate, keyDelegatedToAccount } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const BUCKET = "arn:aws:s3:::cip-dev-runners-cache-0a1b2c3";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab`;
const MANAGER = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-runners-cache-0a1b2c3/manager`;
/** A cache object as the runner names it: `<Path>/project/<id>/<cache key>` (Path is the architecture, config.ts). */
const OBJECT = `${BUCKET}/arm64/project/42/main-protected`;
const VIA_S3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };

/** The key's policy delegates to the account's IAM policies, so the role's own policy decides its use of the key. */
const KEY_POLICY = keyDelegatedToAccount(ACCOUNT);

const call = (action: string, resource: string, context: Record<string, string> = {}) =>
    simulate({
        resourcePolicy: resource.startsWith("arn:aws:kms:") ? KEY_POLICY : undefined,
        identityPolicies: [cachePermissions(BUCKET, KEY, REGION)],
        principal: MANAGER,
        action,
        resource,
        context,
    });

describe("GitLab runner cache role (components/gitlab-runners/policies.ts)", () => {
    it("names each statement for what it allows", () => {
        assert.deepEqual(
            cachePermissions(BUCKET, KEY, REGION).Statement.map((s) => s.Sid),
            ["CacheObjects", "CacheListing", "CacheKey"],
        );
    });

    it("signs what the runner presigns: GET and PUT of cache objects of every architecture", async () => {
        for (const object of [OBJECT, `${BUCKET}/amd64/project/42/main-protected`]) {
            assert.equal(await call("s3:GetObject", object), "Allowed", `GET ${object}`);
            assert.equal(await call("s3:PutObject", object), "Allowed", `PUT ${object}`);
        }
    });

    it("also grants DeleteObject, ListBucket and GetBucketLocation on the cache bucket, which cache/s3v2 never calls", async () => {
        // Asserted so that narrowing or widening the grant is a deliberate change, not a silent one.
        assert.equal(await call("s3:DeleteObject", OBJECT), "Allowed");
        assert.equal(await call("s3:ListBucket", BUCKET), "Allowed");
        assert.equal(await call("s3:GetBucketLocation", BUCKET), "Allowed");
    });

    it("denies another bucket's objects and listing, and the bucket's administration", async () => {
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
            assert.equal(await call(action, "arn:aws:s3:::cip-dev-storage-dr/backup-1"), "ImplicitlyDenied", action);
            assert.equal(
                await call(action, "arn:aws:s3:::cip-dev-runners-cache-0a1b2c3-old/arm64/x"),
                "ImplicitlyDenied",
                `${action}: a prefix-named bucket`,
            );
        }
        assert.equal(await call("s3:ListBucket", "arn:aws:s3:::cip-dev-storage-dr"), "ImplicitlyDenied");
        assert.equal(await call("s3:GetBucketLocation", "arn:aws:s3:::cip-dev-storage-dr"), "ImplicitlyDenied");
        for (const action of ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration"]) {
            assert.equal(await call(action, BUCKET), "ImplicitlyDenied", action);
        }
        assert.equal(await call("s3:PutObjectAcl", OBJECT), "ImplicitlyDenied");
        assert.equal(await call("s3:GetObjectVersion", OBJECT), "ImplicitlyDenied");
    });

    it("uses the bucket's key only through S3 in its region: data keys for a PUT, decryption for a GET", async () => {
        assert.equal(await call("kms:GenerateDataKey", KEY, VIA_S3), "Allowed");
        assert.equal(await call("kms:Decrypt", KEY, VIA_S3), "Allowed");
        assert.equal(await call("kms:Decrypt", KEY), "ImplicitlyDenied", "directly, not through S3");
        assert.equal(await call("kms:Decrypt", KEY, { "kms:ViaService": "s3.us-east-1.amazonaws.com" }), "ImplicitlyDenied");
        assert.equal(await call("kms:Decrypt", KEY, { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` }), "ImplicitlyDenied");
        assert.equal(await call("kms:Decrypt", OTHER_KEY, VIA_S3), "ImplicitlyDenied", "another key");
        for (const action of ["kms:Encrypt", "kms:ReEncryptFrom", "kms:CreateGrant", "kms:ScheduleKeyDeletion"]) {
            assert.equal(await call(action, KEY, VIA_S3), "ImplicitlyDenied", action);
        }
    });
});
