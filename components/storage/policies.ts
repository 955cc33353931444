/**
 * IAM documents of the replicated storage (storage.ts), as pure builders: what LINSTOR's S3 key may do. Tested
 * directly in test/components/storage/policies.test.ts.
 */
import { policyDocument, PolicyDocument } from "../shared/iam-documents";

/** What LINSTOR's static S3 key may do: the DR bucket's objects and its key through S3, nothing else. */
export function drUserPermissions(bucketArn: string, kmsKeyArn: string, region: string): PolicyDocument {
    return policyDocument(
        {
            Sid: "SnapshotObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: `${bucketArn}/*`,
        },
        {
            Sid: "SnapshotBucket",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            Resource: bucketArn,
        },
        {
            Sid: "SnapshotKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
        },
    );
}
