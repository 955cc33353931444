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

/** One rule of an ECR lifecycle policy (Amazon ECR user guide, LifecyclePolicies.md "Lifecycle policy parameters"). */
export interface EcrLifecycleRule {
    readonly rulePriority: number;
    readonly description?: string;
    readonly selection: {
        readonly tagStatus: "tagged" | "untagged" | "any";
        readonly tagPrefixList?: readonly string[];
        readonly tagPatternList?: readonly string[];
        readonly countType: "imageCountMoreThan" | "sinceImagePushed";
        readonly countUnit?: "days";
        readonly countNumber: number;
    };
    readonly action: { readonly type: "expire" };
}

/**
 * The repositories' lifecycle: of the tagged images the newest `keep` stay, older ones expire; nothing
 * else is ever selected. Notation signatures are OCI referrers: untagged manifests whose `subject` is
 * the image they sign. ECR counts each as an image (Amazon ECR user guide, image-signing.md,
 * "Considerations": "each signature counts as 1 artifact against the images per repository quota"), so
 * a rule on untagged images, or on `any` image by count, would select signatures of images that stay,
 * and those images would then fail verification at admission. A rule on tagged images never selects a
 * signature, and ECR removes the referrers of an image it expires itself ("lifecycle policies will
 * automatically clean up those artifacts within 24 hours of the deletion of the subject image", same
 * page). Untagged images that are not signatures (a push by digest only) are rare with immutable tags
 * and are left for the operator: telling them from signatures takes the referrers API, which lifecycle
 * rules cannot select on.
 */
export function lifecyclePolicy(keep: number): { rules: EcrLifecycleRule[] } {
    return {
        rules: [
            {
                rulePriority: 1,
                description: `Keep the newest ${keep} tagged images; their signatures (untagged referrers) go with them`,
                selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keep },
                action: { type: "expire" },
            },
        ],
    };
}
