/**
 * IAM documents of the GitLab runners (gitlab-runners.ts), as pure builders: the managers' cache role. Tested
 * directly in test/components/gitlab-runners/policies.test.ts.
 */
import { policyDocument, PolicyDocument } from "../shared/iam-documents";

/** The cache role: read and write cache objects of this bucket only, with its key through S3. */
export function cachePermissions(bucketArn: string, kmsKeyArn: string, region: string): PolicyDocument {
    return policyDocument(
        { Sid: "CacheObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${bucketArn}/*` },
        { Sid: "CacheListing", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
        {
            Sid: "CacheKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
        },
    );
}
