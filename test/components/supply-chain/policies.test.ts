/**
 * The supply chain's IAM documents (components/supply-chain/policies.ts) built directly, per test, and simulated under the
 * supply-chain boundary the roles carry (components/foundation/workload-boundary.ts): the calls each role exists for, as its
 * upstream client makes them, Allowed; the calls just outside its purpose (another repository, environment, account, region,
 * profile, a management call) Denied.
 *
 * The clients and the calls they make:
 * - `docker push` / BuildKit to ECR: GetAuthorizationToken, then BatchCheckLayerAvailability, InitiateLayerUpload,
 *   UploadLayerPart, CompleteLayerUpload, PutImage on the repository (Amazon ECR user guide, image-push.md "Required IAM
 *   permissions for pushing an image"), and BatchGetImage when the manifest already exists.
 * - `notation sign` with the AWS Signer plugin (com.amazonaws.signer.notation.plugin): resolves the tag (BatchGetImage), has
 *   Signer sign the payload (`signer:SignPayload`, authorized against the signing profile: Service Authorization Reference,
 *   AWS Signer), and pushes the signature as an OCI referrer (the push calls above).
 * - `notation verify` and kyverno-notation-aws (nirmata/kyverno-notation-aws README at 0fe7c42, "Configure ECR Registry
 *   credentials": an IRSA role with `signer:GetRevocationStatus` and ECR read-only): reads the image and its signatures
 *   (BatchGetImage, GetDownloadUrlForLayer) and asks Signer for revocation status, authorized against the signing profile
 *   (its version ARN, `<profile>/<version>`) and the signing job (Service Authorization Reference: signing-profile and
 *   signing-job, both required).
 */
import { strict as assert } from "node:assert";
import {
    ciJobPermissions,
    ECR_PUSH_ACTIONS,
    ECR_READ_ACTIONS,
    ECR_TOKEN_ACTION,
    lifecyclePolicy,
    revocationResources,
    verifierPermissions,
} from "../../../components/supply-chain/policies";
import { supplyChainBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { PolicyDocument } from "../../../components/shared/iam-documents";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const REGION = "eu-west-1";
const PREFIX = "cip-dev";
const PROFILE = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_dev_A1B2C3D4E5`;
const PROFILE_VERSION = `${PROFILE}/2oCN6RHYVI`;
const OTHER_PROFILE = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_prod_Z9Y8X7W6V5`;
const JOB = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/11111111-2222-3333-4444-555555555555`;
const repo = (name: string, account = ACCOUNT, region = REGION): string => `arn:aws:ecr:${region}:${account}:repository/${name}`;
const REPOS = [repo("cip-dev/apps"), repo("cip-dev/web/api")];
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cip-dev-supply-ci-job-0a1b2c3`;

/** Built per call: a document built while mocha loads the file would hide a mutant switched on per test. */
const ciJob = (): PolicyDocument => ciJobPermissions(REPOS, PROFILE, REGION, ACCOUNT);
const verifier = (): PolicyDocument => verifierPermissions(REPOS, PROFILE, REGION, ACCOUNT);
const boundary = (): PolicyDocument => supplyChainBoundaryDocument({ accountId: ACCOUNT, region: REGION, prefix: PREFIX });

/** The decision for a role carrying `policy` under the supply-chain boundary (IAM allows only what both allow). */
const as = (policy: PolicyDocument, action: string, resource: string): Promise<string> =>
    simulate({ identityPolicies: [policy], permissionsBoundary: boundary(), principal: ROLE, action, resource });

/** Push, sign, verify: what the CI job's template runs (docker push, notation sign, notation verify). */
const PUSH = [...ECR_PUSH_ACTIONS];
const PULL = [...ECR_READ_ACTIONS];

/** Calls just outside both roles' purpose, on their own repository or profile. */
const MANAGEMENT: Array<[string, string]> = [
    ["ecr:BatchDeleteImage", REPOS[0]],
    ["ecr:DeleteRepository", REPOS[0]],
    ["ecr:SetRepositoryPolicy", REPOS[0]],
    ["ecr:PutLifecyclePolicy", REPOS[0]],
    ["ecr:PutImageTagMutability", REPOS[0]],
    ["ecr:DescribeImages", REPOS[0]],
    ["ecr:ListImages", REPOS[0]],
    ["signer:StartSigningJob", PROFILE],
    ["signer:RevokeSignature", JOB],
    ["signer:RevokeSigningProfile", PROFILE],
    ["signer:CancelSigningProfile", PROFILE],
    ["signer:AddProfilePermission", PROFILE],
    ["signer:PutSigningProfile", "*"],
    ["s3:GetObject", "arn:aws:s3:::cip-dev-runner-cache/x"],
    ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cip-dev/x`],
];

/** The revocation check on another account's, region's or environment's signatures. */
const FOREIGN_REVOCATIONS = [
    OTHER_PROFILE,
    `${OTHER_PROFILE}/2oCN6RHYVI`,
    PROFILE_VERSION.replace(ACCOUNT, OTHER_ACCOUNT),
    JOB.replace(ACCOUNT, OTHER_ACCOUNT),
    JOB.replace(REGION, "us-east-1"),
    PROFILE_VERSION.replace(REGION, "us-east-1"),
];

/** The environment's repositories as seen from elsewhere: another environment's, another account's, another region's, one not listed. */
const FOREIGN_REPOS = [
    repo("cip-prod/apps"),
    repo("cip-dev/apps", OTHER_ACCOUNT),
    repo("cip-dev/apps", ACCOUNT, "us-east-1"),
    repo("cip-dev/other"),
];

describe("supply-chain IAM (components/supply-chain/policies.ts, simulated under the supply-chain boundary)", () => {
    describe("the CI job role (docker push, notation sign and verify with the AWS Signer plugin)", () => {
        it("names its statements for what they allow", () => {
            assert.deepEqual(
                ciJob().Statement.map((s) => s.Sid),
                ["RegistryToken", "PushAndReadOwnRepositories", "SignWithTheEnvironmentsProfile", "RevocationOfTheEnvironmentsSignatures"],
            );
        });

        it("gets the registry token (ECR scopes it to no repository: Resource *)", async () => {
            assert.equal(await as(ciJob(), ECR_TOKEN_ACTION, "*"), "Allowed");
        });

        it("pushes and reads images and signatures on every repository of the environment it is given", async () => {
            for (const repository of REPOS) {
                for (const action of [...PUSH, ...PULL]) {
                    assert.equal(await as(ciJob(), action, repository), "Allowed", `${action} on ${repository}`);
                }
            }
        });

        it("pushes to no other repository: another environment's, account's, region's, or one it was not given", async () => {
            for (const repository of FOREIGN_REPOS) {
                for (const action of ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:BatchGetImage"]) {
                    assert.notEqual(await as(ciJob(), action, repository), "Allowed", `${action} on ${repository}`);
                }
            }
        });

        it("signs with the environment's profile (SignPayload on the profile), with no other", async () => {
            assert.equal(await as(ciJob(), "signer:SignPayload", PROFILE), "Allowed");
            assert.notEqual(await as(ciJob(), "signer:SignPayload", OTHER_PROFILE), "Allowed");
            assert.notEqual(await as(ciJob(), "signer:SignPayload", PROFILE.replace(ACCOUNT, OTHER_ACCOUNT)), "Allowed");
            // Profiles the boundary lets through (its environment's name prefix, any region): only the role's own document stops these.
            assert.notEqual(await as(ciJob(), "signer:SignPayload", PROFILE.replace("A1B2C3D4E5", "Z9Y8X7W6V5")), "Allowed");
            assert.notEqual(await as(ciJob(), "signer:SignPayload", PROFILE.replace(REGION, "us-east-1")), "Allowed");
        });

        it("checks revocation of its own signatures (profile, profile version, this account's signing jobs), of no one else's", async () => {
            for (const resource of [PROFILE, PROFILE_VERSION, JOB]) {
                assert.equal(await as(ciJob(), "signer:GetRevocationStatus", resource), "Allowed", resource);
            }
            for (const resource of FOREIGN_REVOCATIONS) {
                assert.notEqual(await as(ciJob(), "signer:GetRevocationStatus", resource), "Allowed", resource);
            }
        });

        it("can do nothing else: no deletes, repository or profile management, revocation, listing, other services", async () => {
            for (const [action, resource] of MANAGEMENT) {
                assert.notEqual(await as(ciJob(), action, resource), "Allowed", `${action} on ${resource}`);
            }
        });
    });

    describe("the verifier (kyverno-notation-aws with the AWS Signer plugin)", () => {
        it("names its statements for what they allow", () => {
            assert.deepEqual(
                verifier().Statement.map((s) => s.Sid),
                ["RegistryToken", "ReadOwnRepositories", "RevocationOfTheEnvironmentsSignatures"],
            );
        });

        it("gets the registry token and reads images and signatures of every repository it is given", async () => {
            assert.equal(await as(verifier(), ECR_TOKEN_ACTION, "*"), "Allowed");
            for (const repository of REPOS) {
                for (const action of PULL) {
                    assert.equal(await as(verifier(), action, repository), "Allowed", `${action} on ${repository}`);
                }
            }
        });

        it("reads no other repository", async () => {
            for (const repository of FOREIGN_REPOS) {
                for (const action of PULL) {
                    assert.notEqual(await as(verifier(), action, repository), "Allowed", `${action} on ${repository}`);
                }
            }
        });

        it("checks revocation of the environment's signatures only", async () => {
            for (const resource of [PROFILE, PROFILE_VERSION, JOB]) {
                assert.equal(await as(verifier(), "signer:GetRevocationStatus", resource), "Allowed", resource);
            }
            for (const resource of FOREIGN_REVOCATIONS) {
                assert.notEqual(await as(verifier(), "signer:GetRevocationStatus", resource), "Allowed", resource);
            }
        });

        it("never pushes or signs (a verifier that could sign would vouch for anything), nor manages anything", async () => {
            for (const action of PUSH) {
                assert.notEqual(await as(verifier(), action, REPOS[0]), "Allowed", action);
            }
            assert.notEqual(await as(verifier(), "signer:SignPayload", PROFILE), "Allowed");
            for (const [action, resource] of MANAGEMENT) {
                assert.notEqual(await as(verifier(), action, resource), "Allowed", `${action} on ${resource}`);
            }
        });
    });

    describe("revocation resources", () => {
        it("are the profile, its versions and the signing jobs of this account in this region", async () => {
            const granted: PolicyDocument = {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: "signer:GetRevocationStatus",
                        Resource: revocationResources(PROFILE, REGION, ACCOUNT),
                    },
                ],
            };
            const can = (resource: string) =>
                simulate({ identityPolicies: [granted], principal: ROLE, action: "signer:GetRevocationStatus", resource });
            for (const resource of [PROFILE, PROFILE_VERSION, JOB]) {
                assert.equal(await can(resource), "Allowed", resource);
            }
            // Another profile whose name starts with this one's: only `<profile>/<version>` is the profile's.
            for (const resource of [...FOREIGN_REVOCATIONS, `${PROFILE}X`, `${PROFILE}X/2oCN6RHYVI`]) {
                assert.equal(await can(resource), "ImplicitlyDenied", resource);
            }
        });
    });

    describe("the supply-chain boundary caps both roles", () => {
        it("lets through every call the roles exist for, as their clients make them", async () => {
            const everything: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
            const calls: Array<[string, string]> = [
                [ECR_TOKEN_ACTION, "*"],
                ...[...PUSH, ...PULL].map((a): [string, string] => [a, REPOS[0]]),
                ["signer:SignPayload", PROFILE],
                ["signer:GetRevocationStatus", PROFILE_VERSION],
                ["signer:GetRevocationStatus", JOB],
            ];
            for (const [action, resource] of calls) {
                assert.equal(await as(everything, action, resource), "Allowed", `${action} on ${resource}`);
            }
            // What the boundary alone stops, whatever a role's own policy grants: pushing or signing for another environment.
            assert.notEqual(await as(everything, "ecr:PutImage", repo("cip-prod/apps")), "Allowed");
            assert.notEqual(await as(everything, "signer:SignPayload", OTHER_PROFILE), "Allowed");
            assert.notEqual(await as(everything, "ecr:DeleteRepository", REPOS[0]), "Allowed");
        });
    });

    describe("lifecycle policy (ECR user guide, LifecyclePolicies.md)", () => {
        it("says how many tagged images it keeps (what it expires is modelled in lifecycle.test.ts)", () => {
            for (const keep of [1, 100, 250]) {
                const [rule] = lifecyclePolicy(keep).rules;
                // The console and `aws ecr get-lifecycle-policy` show this text: it must say what the rule keeps.
                assert.match(rule.description ?? "", new RegExp(`\\b${keep} tagged images\\b`));
            }
        });
    });
});
