/**
 * The private CA's IAM documents (components/pki/policies.ts) built directly and simulated, statement by statement:
 * the CRL key (administered by the account, used by S3 and by ACM PCA through S3 only), the CRL bucket, the issuer.
 */
import { strict as assert } from "node:assert";
import { crlBucketStatements, crlKeyPolicy, issuerPermissions } from "../../../components/pki/policies";
import { policyDocument, PolicyDocument } from "../../../components/shared/iam-documents";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const ALLOW_KMS: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };

describe("private CA documents (components/pki/policies.ts)", () => {
    it("the CRL key: the account administers it; S3 here uses it for this account; ACM PCA only through S3, for this account", async () => {
        const policy = crlKeyPolicy(ACCOUNT, REGION);
        assert.deepEqual(
            policy.Statement.map((s) => s.Sid),
            ["KeyAdministration", "AcmPcaEncryptsCrl", "UseViaS3"],
        );
        const call = (action: string, principal: string, context: Record<string, string> = {}, identity = true) =>
            simulate({ resourcePolicy: policy, identityPolicies: identity ? [ALLOW_KMS] : [], action, principal, resource: KEY, context });
        const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT };
        assert.equal(await call("kms:PutKeyPolicy", ROLE), "Allowed");
        assert.equal(await call("kms:PutKeyPolicy", ROLE, {}, false), "ImplicitlyDenied");
        assert.equal(await call("kms:PutKeyPolicy", `arn:aws:iam::210987654321:role/app`), "ImplicitlyDenied");
        for (const action of ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]) {
            assert.equal(await call(action, ROLE, viaS3), "Allowed", action);
        }
        assert.equal(await call("kms:ReEncryptFrom", ROLE, viaS3), "ImplicitlyDenied");
        assert.equal(await call("kms:Decrypt", ROLE), "ImplicitlyDenied");
        assert.equal(await call("kms:Decrypt", ROLE, { ...viaS3, "kms:ViaService": "s3.us-east-1.amazonaws.com" }), "ImplicitlyDenied");
        assert.equal(await call("kms:Decrypt", ROLE, { ...viaS3, "kms:CallerAccount": "210987654321" }), "ImplicitlyDenied");
        const pca = (action: string, context: Record<string, string>) => call(action, "acm-pca.amazonaws.com", context, false);
        const pcaContext = { "aws:SourceAccount": ACCOUNT, "kms:ViaService": `s3.${REGION}.amazonaws.com` };
        assert.equal(await pca("kms:GenerateDataKey", pcaContext), "Allowed");
        assert.equal(await pca("kms:Decrypt", pcaContext), "Allowed");
        assert.equal(await pca("kms:Encrypt", pcaContext), "ImplicitlyDenied");
        assert.equal(await pca("kms:GenerateDataKey", { ...pcaContext, "aws:SourceAccount": "210987654321" }), "ImplicitlyDenied");
        assert.equal(
            await pca("kms:GenerateDataKey", { ...pcaContext, "kms:ViaService": `s3.us-east-1.amazonaws.com` }),
            "ImplicitlyDenied",
        );
        assert.equal(await pca("kms:GenerateDataKey", { "aws:SourceAccount": ACCOUNT }), "ImplicitlyDenied");
    });

    it("the CRL bucket: ACM PCA writes and reads the ACL and location for this account's CAs in this region only", async () => {
        const bucket = "arn:aws:s3:::cip-dev-pki-crl";
        const statements = crlBucketStatements(bucket, ACCOUNT, REGION);
        assert.deepEqual(
            statements.map((s) => s.Sid),
            ["AcmPcaWritesCrl"],
        );
        const ca = `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
        const call = (action: string, resource: string, sourceArn = ca, sourceAccount = ACCOUNT, principal = "acm-pca.amazonaws.com") =>
            simulate({
                resourcePolicy: policyDocument(...statements),
                action,
                principal,
                resource,
                context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount },
            });
        assert.equal(await call("s3:PutObject", `${bucket}/crl/1.crl`), "Allowed");
        assert.equal(await call("s3:PutObjectAcl", `${bucket}/crl/1.crl`), "Allowed");
        assert.equal(await call("s3:GetBucketAcl", bucket), "Allowed");
        assert.equal(await call("s3:GetBucketLocation", bucket), "Allowed");
        assert.equal(await call("s3:GetObject", `${bucket}/crl/1.crl`), "ImplicitlyDenied");
        assert.equal(await call("s3:PutObject", `arn:aws:s3:::other/crl/1.crl`), "ImplicitlyDenied");
        assert.equal(await call("s3:PutObject", `${bucket}/crl/1.crl`, ca.replace(REGION, "us-east-1")), "ImplicitlyDenied");
        assert.equal(await call("s3:PutObject", `${bucket}/crl/1.crl`, ca, "210987654321"), "ImplicitlyDenied");
        assert.equal(await call("s3:PutObject", `${bucket}/crl/1.crl`, ca, ACCOUNT, "s3.amazonaws.com"), "ImplicitlyDenied");
    });

    it("the issuer: reads only its CA; its statements are named for what they allow", () => {
        const ca = `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
        const policy = issuerPermissions(ca);
        assert.deepEqual(policy.Statement[0], {
            Sid: "ReadThePlatformCA",
            Effect: "Allow",
            Action: ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate"],
            Resource: ca,
        });
        assert.equal(policy.Statement[1].Sid, "IssueServerCertificatesOnly");
    });
});
