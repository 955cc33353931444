/** IAM for the private CA: the issuer's narrow permissions and the CRL bucket's policies. */
import { PolicyDocument, policyDocument, Statement } from "../shared/iam-documents";
import { KEY_ADMIN_ACTIONS } from "../shared/kms-policies";
import { SERVER_TEMPLATE, templateArn } from "./objects";

/** What aws-privateca-issuer needs, and nothing more (never AWSCertificateManagerPrivateCAFullAccess). */
export const ISSUER_ACTIONS = ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate", "acm-pca:IssueCertificate"] as const;

/**
 * The issuer reads the CA and its certificates, and issues only TLS server certificates: even a
 * misconfigured issuer (or one a tenant points at the CA) cannot get a CA or passthrough certificate,
 * because IAM checks the template of every IssueCertificate call (`acm-pca:TemplateArn`).
 */
export function issuerPermissions(caArn: string): PolicyDocument {
    const [describe, get, issue] = ISSUER_ACTIONS;
    return policyDocument(
        { Sid: "ReadThePlatformCA", Effect: "Allow", Action: [describe, get], Resource: caArn },
        {
            Sid: "IssueServerCertificatesOnly",
            Effect: "Allow",
            Action: issue,
            Resource: caArn,
            Condition: { StringEquals: { "acm-pca:TemplateArn": templateArn(SERVER_TEMPLATE) } },
        },
    );
}

/** ACM PCA may write CRLs into the bucket, for CAs of this account only (the bucket adds the TLS-only deny). */
export function crlBucketStatements(bucketArn: string, accountId: string, region: string): Statement[] {
    const fromThisAccountsCAs = {
        StringEquals: { "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": `arn:aws:acm-pca:${region}:${accountId}:certificate-authority/*` },
    };
    return [
        {
            Sid: "AcmPcaWritesCrl",
            Effect: "Allow",
            Principal: { Service: "acm-pca.amazonaws.com" },
            Action: ["s3:PutObject", "s3:PutObjectAcl", "s3:GetBucketAcl", "s3:GetBucketLocation"],
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: fromThisAccountsCAs,
        },
    ];
}

/** Key of the CRL bucket: administered by the account, used by S3 and by ACM PCA writing CRLs. */
export function crlKeyPolicy(accountId: string, region: string): PolicyDocument {
    return policyDocument(
        {
            Sid: "KeyAdministration",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${accountId}:root` },
            Action: KEY_ADMIN_ACTIONS,
            Resource: "*",
        },
        {
            Sid: "AcmPcaEncryptsCrl",
            Effect: "Allow",
            Principal: { Service: "acm-pca.amazonaws.com" },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": accountId, "kms:ViaService": `s3.${region}.amazonaws.com` } },
        },
        {
            Sid: "UseViaS3",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${accountId}:root` },
            Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            Resource: "*",
            Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com`, "kms:CallerAccount": accountId } },
        },
    );
}
