/**
 * IAM of the supply chain, scoped to the environment's signing profile and repositories:
 * - the CI job role pushes images (the Docker/OCI push calls ECR documents for `docker push`) and
 *   signs them (`signer:SignPayload`, the one call the AWS Signer Notation plugin makes to sign), and
 *   reads revocation status so the template's `notation verify` step checks it too;
 * - the verifier (kyverno-notation-aws) reads images and signatures and asks Signer for revocation
 *   status (`signer:GetRevocationStatus`, which the AWS Signer plugin calls on every verification).
 * Sources: Amazon ECR user guide "Pushing an image" (required IAM permissions) and "Private registry
 * authentication"; AWS Signer developer guide "Signing container images" (IAM: SignPayload,
 * GetRevocationStatus); nirmata/kyverno-notation-aws README (IRSA role: GetRevocationStatus + ECR read).
 */
import { PolicyDocument, policyDocument } from "../shared/iam-documents";

/** Calls that push an image (layers and manifest) to a repository. */
export const ECR_PUSH_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
] as const;

/** Calls that read an image, its manifest and its referrers (Notation signatures are OCI referrers, read through the registry API's manifests and blobs). */
export const ECR_READ_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;

/** The registry token: IAM cannot scope it to a repository. */
export const ECR_TOKEN_ACTION = "ecr:GetAuthorizationToken";

/** ARNs a signing profile's revocation checks are authorized against: the profile (and its versions) and this account's signing jobs. */
export function revocationResources(profileArn: string, region: string, accountId: string): string[] {
    return [profileArn, `${profileArn}/*`, `arn:aws:signer:${region}:${accountId}:/signing-jobs/*`];
}

/** The CI job role: push to the environment's repositories and sign with its profile; nothing more. */
export function ciJobPermissions(repositoryArns: readonly string[], profileArn: string, region: string, accountId: string): PolicyDocument {
    return policyDocument(
        { Sid: "RegistryToken", Effect: "Allow", Action: ECR_TOKEN_ACTION, Resource: "*" },
        {
            Sid: "PushAndReadOwnRepositories",
            Effect: "Allow",
            Action: [...ECR_PUSH_ACTIONS, ...ECR_READ_ACTIONS],
            Resource: [...repositoryArns],
        },
        { Sid: "SignWithTheEnvironmentsProfile", Effect: "Allow", Action: "signer:SignPayload", Resource: profileArn },
        {
            Sid: "RevocationOfTheEnvironmentsSignatures",
            Effect: "Allow",
            Action: "signer:GetRevocationStatus",
            Resource: revocationResources(profileArn, region, accountId),
        },
    );
}

/** The verifier Kyverno calls: read images and signatures of the environment's repositories, check revocation. */
export function verifierPermissions(
    repositoryArns: readonly string[],
    profileArn: string,
    region: string,
    accountId: string,
): PolicyDocument {
    return policyDocument(
        { Sid: "RegistryToken", Effect: "Allow", Action: ECR_TOKEN_ACTION, Resource: "*" },
        { Sid: "ReadOwnRepositories", Effect: "Allow", Action: [...ECR_READ_ACTIONS], Resource: [...repositoryArns] },
        {
            Sid: "RevocationOfTheEnvironmentsSignatures",
            Effect: "Allow",
            Action: "signer:GetRevocationStatus",
            Resource: revocationResources(profileArn, region, accountId),
        },
    );
}

/**
 * Lifecycle rules: untagged images (superseded manifests, failed pushes) expire after a day; of
 * the tagged ones the newest `keep` stay. Signatures are referrers of the image they sign and go
 * with it (ECR lifecycle treats referrers as part of their subject image).
 */
export function lifecyclePolicy(keep: number): Record<string, unknown> {
    return {
        rules: [
            {
                rulePriority: 1,
                description: "Untagged images expire after a day",
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the newest ${keep} images`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
                action: { type: "expire" },
            },
        ],
    };
}
