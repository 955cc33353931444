/**
 * The CI roles' documents of components/foundation/deployer-policies.ts, built directly (no stack planned) and evaluated
 * by the IAM simulator: the trust of each role (which pipeline assumes it), the state backend each role reaches (its own
 * stack's objects, the keys only through S3), the preview role's reads (every environment's platform resources, never a
 * secret value, never another team's resources) and the boundary names the deploy roles must put on what they create.
 * The deploy role's own permissions (deploy-permissions.ts) are simulated here only where they rest on these names: the
 * boundary a role must carry, and what a deploy role can never do to that boundary or to roles outside its environment.
 */
import { strict as assert } from "node:assert";
import {
    ATTACHABLE_MANAGED_POLICIES,
    audienceFor,
    deployRefFor,
    deployStateAccessPolicy,
    deployTrustPolicy,
    platformResources,
    previewReadPolicy,
    previewStateAccessPolicy,
    previewTrustPolicy,
    SECRET_VALUE_READS,
    StateAccess,
    stackObjects,
    supplyChainBoundaryArn,
    thirdPartyTrustPolicy,
    TrustContext,
    workloadBoundaryArn,
} from "../../../components/foundation/deployer-policies";
import { deployPolicyDocuments } from "../../../components/foundation/deploy-permissions";
import { actionsOfPhase, UNSCOPABLE_ACTIONS } from "../../../components/foundation/provider-actions";
import type { PolicyDocument } from "../../../components/shared/iam-documents";
import { Decision, simulate, simulateWebIdentity, keyDelegatedToAccount } from "../../helpers/iam";
import { iamRejections } from "../../helpers/iam-validity";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const REGION = "eu-west-1";
const GITLAB: TrustContext = {
    provider: "gitlab",
    oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`,
    issuerHost: "gitlab.com",
    project: "platform-team/ciplatform",
    protectedBranch: "main",
    audiencePrefix: "ciplatform",
};
const GITHUB: TrustContext = {
    ...GITLAB,
    provider: "github",
    issuerHost: "token.actions.githubusercontent.com",
    oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
};

/** A GitLab id_token's claims (GitLab docs, "ID token authentication": sub = project_path:<path>:ref_type:<type>:ref:<ref>). */
function gitlab(ref: string, aud: string, refType = "branch", project = GITLAB.project): Record<string, string> {
    return { sub: `project_path:${project}:ref_type:${refType}:ref:${ref}`, aud };
}

/** Whether an ARN matches one of IAM resource patterns (`*` matches any characters, `/` included), where the simulator cannot go. */
function matchesAny(patterns: readonly string[], arn: string): boolean {
    return patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(arn));
}

function assume(trust: PolicyDocument, ctx: TrustContext, claims: Record<string, string>): Promise<Decision> {
    return simulateWebIdentity(trust, ctx.issuerHost, claims, ctx.oidcProviderArn);
}

describe("CI role trust (components/foundation/deployer-policies.ts)", () => {
    it("audiences: GitLab jobs ask for <prefix>-<target>; GitHub always presents STS's audience", () => {
        assert.equal(audienceFor(GITLAB, "preview"), "ciplatform-preview");
        assert.equal(audienceFor(GITLAB, "prod"), "ciplatform-prod");
        assert.equal(audienceFor(GITHUB, "prod"), "sts.amazonaws.com");
    });

    it("GitLab deploy refs: dev from the protected branch, the others from <branch>-<env>, or the ref the config names", () => {
        assert.equal(deployRefFor(GITLAB, "dev"), "ref_type:branch:ref:main");
        assert.equal(deployRefFor(GITLAB, "prod"), "ref_type:branch:ref:main-prod");
        const refs = { ...GITLAB, environmentRefs: { prod: "tag:v*", staging: "release" } };
        assert.equal(deployRefFor(refs, "prod"), "ref_type:tag:ref:v*");
        assert.equal(deployRefFor(refs, "staging"), "ref_type:branch:ref:release");
        assert.equal(deployRefFor(refs, "dev"), "ref_type:branch:ref:main", "an environment the map leaves out keeps its default");
    });

    it("GitLab preview: any branch pipeline of the project, with the preview audience; not a tag, not another project", async () => {
        const trust = previewTrustPolicy(GITLAB);
        assert.equal(await assume(trust, GITLAB, gitlab("feature/new-pool", "ciplatform-preview")), "Allowed");
        assert.equal(await assume(trust, GITLAB, gitlab("main", "ciplatform-preview")), "Allowed");
        assert.equal(await assume(trust, GITLAB, gitlab("feature/new-pool", "ciplatform-dev")), "ImplicitlyDenied");
        assert.equal(await assume(trust, GITLAB, gitlab("v1", "ciplatform-preview", "tag")), "ImplicitlyDenied");
        assert.equal(await assume(trust, GITLAB, gitlab("main", "ciplatform-preview", "branch", "someone/fork")), "ImplicitlyDenied");
        // GitHub's subject form is not GitLab's: a token shaped like a GitHub pull request gets nothing here.
        assert.equal(
            await assume(trust, GITLAB, { sub: `repo:${GITLAB.project}:pull_request`, aud: "ciplatform-preview" }),
            "ImplicitlyDenied",
        );
    });

    it("GitLab deploy: only the environment's protected ref with the environment's audience", async () => {
        const dev = deployTrustPolicy(GITLAB, "dev");
        const prod = deployTrustPolicy(GITLAB, "prod");
        assert.equal(await assume(dev, GITLAB, gitlab("main", "ciplatform-dev")), "Allowed");
        assert.equal(await assume(prod, GITLAB, gitlab("main-prod", "ciplatform-prod")), "Allowed");
        assert.equal(await assume(prod, GITLAB, gitlab("main", "ciplatform-prod")), "ImplicitlyDenied");
        assert.equal(await assume(prod, GITLAB, gitlab("main-prod", "ciplatform-dev")), "ImplicitlyDenied");
        assert.equal(await assume(dev, GITLAB, gitlab("main", "ciplatform-dev", "tag")), "ImplicitlyDenied");
        assert.equal(await assume(dev, GITLAB, gitlab("main", "ciplatform-dev", "branch", "someone/fork")), "ImplicitlyDenied");
        // A branch named like the configured one is still a branch, not the protected tag.
        const byBranch = deployTrustPolicy({ ...GITLAB, environmentRefs: { prod: "release" } }, "prod");
        assert.equal(await assume(byBranch, GITLAB, gitlab("release", "ciplatform-prod")), "Allowed");
        assert.equal(await assume(byBranch, GITLAB, gitlab("main-prod", "ciplatform-prod")), "ImplicitlyDenied");
        assert.equal(await assume(byBranch, GITLAB, gitlab("release", "ciplatform-prod", "tag")), "ImplicitlyDenied");
    });

    it("GitLab deploy from a protected tag pattern: matching tags only, still with the environment's audience", async () => {
        const prod = deployTrustPolicy({ ...GITLAB, environmentRefs: { prod: "tag:release-*" } }, "prod");
        assert.equal(await assume(prod, GITLAB, gitlab("release-1.2.0", "ciplatform-prod", "tag")), "Allowed");
        assert.equal(await assume(prod, GITLAB, gitlab("release-1.2.0", "ciplatform-dev", "tag")), "ImplicitlyDenied");
        assert.equal(await assume(prod, GITLAB, gitlab("release-1.2.0", "ciplatform-prod")), "ImplicitlyDenied");
        assert.equal(await assume(prod, GITLAB, gitlab("v1.2.0", "ciplatform-prod", "tag")), "ImplicitlyDenied");
        assert.equal(await assume(prod, GITLAB, gitlab("release-1.2.0", "ciplatform-prod", "tag", "someone/fork")), "ImplicitlyDenied");
        // An exact tag (no pattern) matches that tag only.
        const exact = deployTrustPolicy({ ...GITLAB, environmentRefs: { prod: "tag:stable" } }, "prod");
        assert.equal(await assume(exact, GITLAB, gitlab("stable", "ciplatform-prod", "tag")), "Allowed");
        assert.equal(await assume(exact, GITLAB, gitlab("stable-2", "ciplatform-prod", "tag")), "ImplicitlyDenied");
    });

    it("GitHub: pull requests preview, each environment's jobs deploy it, always with STS's audience", async () => {
        const pr = { sub: `repo:${GITHUB.project}:pull_request`, aud: "sts.amazonaws.com" };
        const prodJob = { sub: `repo:${GITHUB.project}:environment:prod`, aud: "sts.amazonaws.com" };
        const preview = previewTrustPolicy(GITHUB);
        const prod = deployTrustPolicy(GITHUB, "prod");
        assert.equal(await assume(preview, GITHUB, pr), "Allowed");
        assert.equal(await assume(preview, GITHUB, { ...pr, aud: "ciplatform-preview" }), "ImplicitlyDenied");
        assert.equal(await assume(preview, GITHUB, { ...pr, sub: `repo:${GITHUB.project}:ref:refs/heads/main` }), "ImplicitlyDenied");
        assert.equal(await assume(preview, GITHUB, { ...pr, sub: "repo:someone/fork:pull_request" }), "ImplicitlyDenied");
        assert.equal(await assume(prod, GITHUB, prodJob), "Allowed");
        assert.equal(await assume(prod, GITHUB, pr), "ImplicitlyDenied");
        assert.equal(await assume(prod, GITHUB, { ...prodJob, sub: `repo:${GITHUB.project}:environment:dev` }), "ImplicitlyDenied");
        assert.equal(await assume(prod, GITHUB, { ...prodJob, aud: "ciplatform-prod" }), "ImplicitlyDenied");
    });

    it("trust names the CI provider's OIDC provider: the same claims through another identity provider assume nothing", async () => {
        const claims = gitlab("main", "ciplatform-dev");
        const other = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.example.com`;
        assert.equal(await simulateWebIdentity(deployTrustPolicy(GITLAB, "dev"), "gitlab.com", claims, other), "ImplicitlyDenied");
    });

    it("a third party assumes its role from its own account with the agreed External ID only", async () => {
        const trust = thirdPartyTrustPolicy(OTHER_ACCOUNT, "s3cr3t-external-id");
        const role = `arn:aws:iam::${ACCOUNT}:role/third-party`;
        const call = (principal: string, context: Record<string, string>) =>
            simulate({
                identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: role }] }],
                resourcePolicy: trust,
                principal,
                action: "sts:AssumeRole",
                resource: role,
                context,
            });
        const auditor = `arn:aws:iam::${OTHER_ACCOUNT}:role/auditor`;
        assert.equal(await call(auditor, { "sts:ExternalId": "s3cr3t-external-id" }), "Allowed");
        assert.equal(await call(auditor, { "sts:ExternalId": "guess" }), "ImplicitlyDenied");
        assert.equal(await call(auditor, {}), "ImplicitlyDenied");
        assert.equal(await call("arn:aws:iam::444455556666:role/auditor", { "sts:ExternalId": "s3cr3t-external-id" }), "ImplicitlyDenied");
        assert.equal(await call(auditor, { "sts:ExternalId": "s3cr3t-external-id" }), "Allowed");
    });
});

describe("CI roles' state backend access (components/foundation/deployer-policies.ts)", () => {
    const BUCKET = "arn:aws:s3:::cip-state-0a1b2c3";
    const STATE_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
    const SECRETS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/66666666-7777-8888-9999-000000000000`;
    const access: StateAccess = {
        stateBucketArn: BUCKET,
        stateKeyArn: STATE_KEY,
        secretsKeyArn: SECRETS_KEY,
        region: REGION,
        project: "ciplatform",
        foundationStack: { project: "ciplatform-foundation", stack: "account" },
    };
    const principal = `arn:aws:iam::${ACCOUNT}:role/cip-deployer-deploy-dev`;
    /** The platform keys delegate to the account's IAM (kms-policies.ts KeyAdministration): the role's policy decides. */
    const keyPolicy = keyDelegatedToAccount(ACCOUNT);
    const can = (document: PolicyDocument, action: string, resource: string, context: Record<string, string> = {}) =>
        simulate({
            identityPolicies: [document],
            resourcePolicy: action.startsWith("kms:") ? keyPolicy : undefined,
            principal,
            action,
            resource,
            context,
        });
    /** Objects of Pulumi's DIY backend, project-scoped layout (pulumi/pulumi pkg/backend/diy: stacks, history, backups, locks). */
    const objects = (project: string, stack: string) => ({
        checkpoint: `${BUCKET}/.pulumi/stacks/${project}/${stack}.json`,
        previous: `${BUCKET}/.pulumi/stacks/${project}/${stack}.json.bak`,
        history: `${BUCKET}/.pulumi/history/${project}/${stack}/${stack}-1733480000000000000.checkpoint.json`,
        backup: `${BUCKET}/.pulumi/backups/${project}/${stack}/${stack}.1733480000000000000.json`,
        lock: `${BUCKET}/.pulumi/locks/organization/${project}/${stack}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.json`,
    });
    const s3Via = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };

    it("both documents are ones IAM accepts, their statements named for what they grant", () => {
        const deploy = deployStateAccessPolicy(access, "dev");
        const preview = previewStateAccessPolicy(access);
        assert.deepEqual(iamRejections(deploy), []);
        assert.deepEqual(iamRejections(preview), []);
        // The names other code finds a statement by (the bootstrap rehearsal drops FoundationOutputs from a first run's role).
        assert.deepEqual(
            deploy.Statement.map((s) => s.Sid),
            ["FoundationOutputs", "StateListing", "StateBucket", "BackendMeta", "OwnStackObjects", "StateBucketKey", "SecretsProvider"],
        );
        assert.deepEqual(
            preview.Statement.map((s) => s.Sid),
            [
                "FoundationOutputs",
                "StateListing",
                "StateBucket",
                "BackendMeta",
                "ReadStacks",
                "PreviewLocks",
                "StateBucketKey",
                "SecretsProviderDecrypt",
            ],
        );
    });

    it("stackObjects names one stack's checkpoint, its previous copies, history, backups and locks, and nothing of another", () => {
        const patterns = stackObjects(BUCKET, "ciplatform", "dev");
        const matches = (key: string) => matchesAny(patterns, key);
        for (const key of Object.values(objects("ciplatform", "dev"))) assert.ok(matches(key), key);
        for (const key of [...Object.values(objects("ciplatform", "prod")), ...Object.values(objects("other", "dev"))]) {
            assert.ok(!matches(key), key);
        }
        assert.ok(!matches(`${BUCKET}/.pulumi/stacks/ciplatform/dev-old.json`));
    });

    it("a deploy role reads and writes its own stack's objects only: not another environment's, project's or the foundation's", async () => {
        const dev = deployStateAccessPolicy(access, "dev");
        for (const [what, key] of Object.entries(objects("ciplatform", "dev"))) {
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                assert.equal(await can(dev, action, key), "Allowed", `${action} on dev's ${what}`);
            }
        }
        for (const [what, key] of Object.entries({ ...objects("ciplatform", "prod"), ...objects("ciplatform", "staging") })) {
            assert.equal(await can(dev, "s3:PutObject", key), "ImplicitlyDenied", `PutObject on another environment's ${what}`);
            assert.equal(await can(dev, "s3:GetObject", key), "ImplicitlyDenied", `GetObject on another environment's ${what}`);
        }
        const foundation = objects("ciplatform-foundation", "account");
        assert.equal(await can(dev, "s3:PutObject", foundation.checkpoint), "ImplicitlyDenied");
        assert.equal(await can(dev, "s3:DeleteObject", foundation.checkpoint), "ImplicitlyDenied");
        assert.equal(await can(dev, "s3:PutObject", `${BUCKET}/other/object`), "ImplicitlyDenied");
        assert.equal(
            await can(dev, "s3:GetObject", `arn:aws:s3:::cip-other-bucket/.pulumi/stacks/ciplatform/dev.json`),
            "ImplicitlyDenied",
        );
        assert.equal(await can(dev, "s3:DeleteBucket", BUCKET), "ImplicitlyDenied");
        assert.equal(await can(dev, "s3:PutBucketPolicy", BUCKET), "ImplicitlyDenied");
    });

    it("both roles read the foundation's checkpoint (its outputs), never its history or its writes; without one named, nothing", async () => {
        const foundation = objects("ciplatform-foundation", "account");
        for (const document of [deployStateAccessPolicy(access, "dev"), previewStateAccessPolicy(access)]) {
            assert.equal(await can(document, "s3:GetObject", foundation.checkpoint), "Allowed");
            assert.equal(await can(document, "s3:GetObject", foundation.previous), "Allowed");
            assert.equal(await can(document, "s3:GetObject", foundation.history), "ImplicitlyDenied");
            assert.equal(await can(document, "s3:GetObject", foundation.backup), "ImplicitlyDenied");
            assert.equal(await can(document, "s3:GetObject", objects("ciplatform-foundation", "other").checkpoint), "ImplicitlyDenied");
        }
        const none: StateAccess = { ...access, foundationStack: undefined };
        for (const document of [deployStateAccessPolicy(none, "dev"), previewStateAccessPolicy(none)]) {
            assert.equal(await can(document, "s3:GetObject", foundation.checkpoint), "ImplicitlyDenied");
        }
        assert.equal(await can(deployStateAccessPolicy(none, "dev"), "s3:GetObject", objects("ciplatform", "dev").checkpoint), "Allowed");
    });

    it("both roles list only the backend's prefix and read the bucket's location, versioning and the backend's meta.yaml", async () => {
        for (const document of [deployStateAccessPolicy(access, "dev"), previewStateAccessPolicy(access)]) {
            assert.equal(await can(document, "s3:ListBucket", BUCKET, { "s3:prefix": ".pulumi/stacks/ciplatform/" }), "Allowed");
            assert.equal(await can(document, "s3:ListBucket", BUCKET, { "s3:prefix": ".pulumi" }), "Allowed");
            assert.equal(await can(document, "s3:ListBucket", BUCKET, { "s3:prefix": "other/" }), "ImplicitlyDenied");
            assert.equal(await can(document, "s3:ListBucket", BUCKET), "ImplicitlyDenied");
            assert.equal(await can(document, "s3:ListBucket", "arn:aws:s3:::cip-other", { "s3:prefix": ".pulumi" }), "ImplicitlyDenied");
            assert.equal(await can(document, "s3:GetBucketLocation", BUCKET), "Allowed");
            assert.equal(await can(document, "s3:GetBucketVersioning", BUCKET), "Allowed");
            assert.equal(await can(document, "s3:PutBucketVersioning", BUCKET), "ImplicitlyDenied");
            assert.equal(await can(document, "s3:GetObject", `${BUCKET}/.pulumi/meta.yaml`), "Allowed");
            assert.equal(await can(document, "s3:PutObject", `${BUCKET}/.pulumi/meta.yaml`), "ImplicitlyDenied");
            assert.equal(await can(document, "s3:GetObject", `${BUCKET}/.pulumi/other.yaml`), "ImplicitlyDenied");
        }
    });

    it("a deploy role uses the state key only through S3 in this region, and the secrets-provider key fully but never manages it", async () => {
        const dev = deployStateAccessPolicy(access, "dev");
        assert.equal(await can(dev, "kms:Decrypt", STATE_KEY, s3Via), "Allowed");
        assert.equal(await can(dev, "kms:GenerateDataKey", STATE_KEY, s3Via), "Allowed");
        assert.equal(await can(dev, "kms:Decrypt", STATE_KEY), "ImplicitlyDenied");
        assert.equal(await can(dev, "kms:Decrypt", STATE_KEY, { "kms:ViaService": "s3.us-east-1.amazonaws.com" }), "ImplicitlyDenied");
        assert.equal(
            await can(dev, "kms:Decrypt", STATE_KEY, { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` }),
            "ImplicitlyDenied",
        );
        assert.equal(await can(dev, "kms:Encrypt", STATE_KEY, s3Via), "ImplicitlyDenied");
        for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]) {
            assert.equal(await can(dev, action, SECRETS_KEY), "Allowed", action);
        }
        for (const action of ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:DisableKey"]) {
            assert.equal(await can(dev, action, SECRETS_KEY), "ImplicitlyDenied", action);
            assert.equal(await can(dev, action, STATE_KEY, s3Via), "ImplicitlyDenied", action);
        }
        assert.equal(await can(dev, "kms:Decrypt", `arn:aws:kms:${REGION}:${ACCOUNT}:key/another`), "ImplicitlyDenied");
    });

    it("the preview role reads every platform stack, writes only lock objects, decrypts but never encrypts with the secrets key", async () => {
        const preview = previewStateAccessPolicy(access);
        for (const stack of ["dev", "staging", "prod"]) {
            const o = objects("ciplatform", stack);
            for (const key of [o.checkpoint, o.previous, o.history, o.backup]) {
                assert.equal(await can(preview, "s3:GetObject", key), "Allowed", key);
                assert.equal(await can(preview, "s3:PutObject", key), "ImplicitlyDenied", key);
                assert.equal(await can(preview, "s3:DeleteObject", key), "ImplicitlyDenied", key);
            }
            assert.equal(await can(preview, "s3:PutObject", o.lock), "Allowed", o.lock);
            assert.equal(await can(preview, "s3:DeleteObject", o.lock), "Allowed", o.lock);
        }
        const foreign = objects("other-project", "dev");
        assert.equal(await can(preview, "s3:GetObject", foreign.checkpoint), "ImplicitlyDenied");
        assert.equal(await can(preview, "s3:PutObject", foreign.lock), "ImplicitlyDenied");
        assert.equal(await can(preview, "s3:PutObject", objects("ciplatform-foundation", "account").lock), "ImplicitlyDenied");
        assert.equal(await can(preview, "kms:Decrypt", SECRETS_KEY), "Allowed");
        assert.equal(await can(preview, "kms:DescribeKey", SECRETS_KEY), "Allowed");
        assert.equal(await can(preview, "kms:Encrypt", SECRETS_KEY), "ImplicitlyDenied");
        assert.equal(await can(preview, "kms:GenerateDataKey", SECRETS_KEY), "ImplicitlyDenied");
        // Lock objects are encrypted with the state key: through S3 only.
        assert.equal(await can(preview, "kms:GenerateDataKey", STATE_KEY, s3Via), "Allowed");
        assert.equal(await can(preview, "kms:Decrypt", STATE_KEY, s3Via), "Allowed");
        assert.equal(await can(preview, "kms:Decrypt", STATE_KEY), "ImplicitlyDenied");
    });
});

describe("the preview role's reads (components/foundation/deployer-policies.ts previewReadPolicy)", () => {
    const SCOPE = { region: REGION, accountId: ACCOUNT, namePrefix: "cip" };
    const PREVIEW = `arn:aws:iam::${ACCOUNT}:role/ciplatform-foundation/cip-deployer-preview`;
    const reads = actionsOfPhase("read");
    const build = () => previewReadPolicy(SCOPE, reads, (a) => UNSCOPABLE_ACTIONS.includes(a));
    const r = (service: string, resource: string, account = ACCOUNT, region = REGION) =>
        `arn:aws:${service}:${region}:${account}:${resource}`;
    /** KMS also consults the key policy: the platform's keys delegate to the account's IAM (kms-policies.ts KeyAdministration). */
    const keyPolicy = keyDelegatedToAccount(ACCOUNT);
    const read = (document: PolicyDocument, action: string, resource: string) =>
        simulate({
            identityPolicies: [document],
            resourcePolicy: action.startsWith("kms:") ? keyPolicy : undefined,
            principal: PREVIEW,
            action,
            resource,
        });

    /** One read per kind of platform resource, as the provider makes it: [action, a resource of the platform, one just outside]. */
    const PLATFORM_READS: ReadonlyArray<readonly [string, string, string]> = [
        ["eks:DescribeCluster", r("eks", "cluster/cip-dev"), r("eks", "cluster/other-team")],
        ["eks:DescribeNodegroup", r("eks", "nodegroup/cip-prod/system/1a2b"), r("eks", "nodegroup/other/system/1a2b")],
        ["eks:DescribeAddon", r("eks", "addon/cip-staging/vpc-cni/1a2b"), r("eks", "addon/other/vpc-cni/1a2b")],
        ["eks:DescribeAccessEntry", r("eks", "access-entry/cip-dev/role/1/x/1a2b"), r("eks", "access-entry/other/role/1/x/1a2b")],
        [
            "logs:ListTagsForResource",
            r("logs", "log-group:/aws/eks/cip-dev/cluster"),
            r("logs", "log-group:/aws/eks/cip-dev/cluster", OTHER_ACCOUNT),
        ],
        ["events:DescribeRule", r("events", "rule/cip-dev-interruption"), r("events", "rule/other-rule")],
        ["sqs:GetQueueAttributes", r("sqs", "cip-dev-karpenter"), r("sqs", "other-queue")],
        [
            "kms:DescribeKey",
            r("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            r("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab", OTHER_ACCOUNT),
        ],
        ["iam:GetRole", `arn:aws:iam::${ACCOUNT}:role/cip-dev-karpenter`, `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`],
        ["iam:GetUser", `arn:aws:iam::${ACCOUNT}:user/cip-dev-snapshots`, `arn:aws:iam::${ACCOUNT}:user/alice`],
        ["iam:GetUser", `arn:aws:iam::${ACCOUNT}:user/ciplatform/cip-prod-snapshots`, `arn:aws:iam::${ACCOUNT}:user/other/cip-prod-x`],
        [
            "iam:GetOpenIDConnectProvider",
            `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/ABC`,
            `arn:aws:iam::${OTHER_ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/ABC`,
        ],
        ["iam:GetPolicy", `arn:aws:iam::${ACCOUNT}:policy/ciplatform/cip-dev-workload-boundary`, `arn:aws:iam::${ACCOUNT}:policy/admin`],
        ["s3:GetBucketPolicy", "arn:aws:s3:::cip-dev-jenkins-dr", "arn:aws:s3:::other-bucket"],
        ["secretsmanager:DescribeSecret", r("secretsmanager", "secret:cip-dev/jenkins-AbCdEf"), r("secretsmanager", "secret:other-AbCdEf")],
        [
            "acm-pca:DescribeCertificateAuthority",
            r("acm-pca", "certificate-authority/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
            r("acm-pca", "certificate-authority/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", OTHER_ACCOUNT),
        ],
        ["acm:DescribeCertificate", r("acm", "certificate/0f1e2d3c"), r("acm", "certificate/0f1e2d3c", ACCOUNT, "us-east-1")],
        ["ecr:DescribeRepositories", r("ecr", "repository/cip-dev/apps"), r("ecr", "repository/other/apps")],
        ["signer:GetSigningProfile", r("signer", "/signing-profiles/cip_dev_images"), r("signer", "/signing-profiles/other_images")],
        [
            "ssm:GetParameter",
            r("ssm", "parameter/aws/service/bottlerocket/aws-k8s-1.33/x86_64/latest/image_id"),
            r("ssm", "parameter/aws/service/x", ACCOUNT, "us-east-1"),
        ],
        ["ec2:DescribeVpcAttribute", r("ec2", "vpc/vpc-0a1b2c3d"), r("ec2", "vpc/vpc-0a1b2c3d", OTHER_ACCOUNT)],
    ];

    it("every read above is one the provider makes (provider-actions.ts), so the cases follow the map", () => {
        for (const [action] of PLATFORM_READS) assert.ok(reads.includes(action), action);
    });

    for (const [action, inside, outside] of PLATFORM_READS) {
        it(`${action}: Allowed on the platform's ${inside.split(":").slice(5).join(":")}, Denied just outside`, async () => {
            const document = build();
            assert.equal(await read(document, action, inside), "Allowed");
            assert.equal(await read(document, action, outside), "ImplicitlyDenied");
        });
    }

    it("reads IAM cannot scope are granted on *, and only those", async () => {
        const document = build();
        assert.equal(await read(document, "ec2:DescribeVpcs", "*"), "Allowed");
        assert.equal(await read(document, "kms:ListAliases", "*"), "Allowed");
        assert.equal(await read(document, "sts:GetCallerIdentity", "*"), "Allowed");
        // A scopable read is never granted account-wide.
        assert.equal(await read(document, "eks:DescribeCluster", r("eks", "cluster/other-team")), "ImplicitlyDenied");
        const unscoped = document.Statement.filter((s) => s.Resource === "*").flatMap((s) => ([] as string[]).concat(s.Action));
        assert.deepEqual(
            unscoped.filter((a) => !UNSCOPABLE_ACTIONS.includes(a)),
            [],
        );
    });

    it("never a secret value, nor any write, even of the platform's own resources", async () => {
        const document = build();
        assert.equal(
            await read(document, "secretsmanager:GetSecretValue", r("secretsmanager", "secret:cip-dev/jenkins-AbCdEf")),
            "ImplicitlyDenied",
        );
        assert.equal(await read(document, "kms:Decrypt", r("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")), "ImplicitlyDenied");
        assert.ok(
            reads.includes("secretsmanager:GetSecretValue") && reads.includes("kms:Decrypt"),
            "the map reads both: the filter is what keeps them out",
        );
        for (const [action, resource] of [
            ["eks:DeleteCluster", r("eks", "cluster/cip-dev")],
            ["iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/cip-dev-karpenter`],
            ["s3:PutObject", "arn:aws:s3:::cip-dev-jenkins-dr/x"],
            ["sqs:SendMessage", r("sqs", "cip-dev-karpenter")],
        ] as const) {
            assert.equal(await read(document, action, resource), "ImplicitlyDenied", action);
        }
        const granted = document.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
        assert.deepEqual(
            granted.filter((a) => SECRET_VALUE_READS.includes(a)),
            [],
        );
        assert.deepEqual(
            granted.filter((a) => !reads.includes(a)),
            [],
            "grants only reads of the map",
        );
    });

    it("is a document IAM accepts: no statement without resources (the map's foundation-only codebuild and securityhub reads)", () => {
        // PutRolePolicy refuses a statement without resources (MalformedPolicyDocument: "Policy statement must contain
        // resources"): the map reads services of foundation-only types (CodeBuild runners, Security Hub) that have no
        // platform resource, and the preview role previews platform stacks only.
        const document = build();
        assert.deepEqual(iamRejections(document), []);
        assert.ok(reads.includes("codebuild:BatchGetProjects") && reads.includes("securityhub:DescribeHub"), "the map still reads them");
        // Named for what they grant: the unscopable reads (as in the deploy roles' documents), then one statement per service.
        assert.deepEqual(
            document.Statement.map((s) => s.Sid),
            [
                "ReadsIamCannotScope",
                ...document.Statement.slice(1).map((s) => `Read${String(s.Action[0]).split(":")[0].replace(/-/g, "")}`),
            ],
        );
        assert.ok(
            document.Statement.some((s) => s.Sid === "Readacmpca"),
            "acm-pca's reads have a statement of their own, named in letters",
        );
    });

    it("grants each read once (the inline policies share 10,240 characters) and the same document whatever the map's order", () => {
        const document = build();
        const granted = document.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
        assert.equal(new Set(granted).size, granted.length, "an action in two statements");
        const reversed = previewReadPolicy(SCOPE, [...reads].reverse(), (a) => UNSCOPABLE_ACTIONS.includes(a));
        assert.deepEqual(reversed, document);
    });

    it("a duplicated read or a read of an unknown service changes nothing", async () => {
        const document = previewReadPolicy(SCOPE, ["eks:DescribeCluster", "eks:DescribeCluster", "sns:GetTopicAttributes"], () => false);
        assert.deepEqual(
            document.Statement.flatMap((s) => ([] as string[]).concat(s.Action)),
            ["eks:DescribeCluster"],
        );
        assert.equal(await read(document, "eks:DescribeCluster", r("eks", "cluster/cip-dev")), "Allowed");
        assert.equal(await read(document, "sns:GetTopicAttributes", r("sns", "cip-dev")), "ImplicitlyDenied");
    });

    it("the public parameters AWS publishes (no account in their ARN, which the simulator cannot take) are readable by their ARN", () => {
        // The EKS-optimized AMI ids (EKS user guide, "Retrieve recommended Amazon Linux AMI IDs"): `aws ssm get-parameter
        // --name /aws/service/eks/optimized-ami/...`, authorized against arn:aws:ssm:<region>::parameter/aws/service/...
        const statement = build().Statement.find((s) => ([] as string[]).concat(s.Action).includes("ssm:GetParameter"));
        const granted = ([] as unknown[]).concat(statement?.Resource ?? []).map(String);
        const readable = (arn: string) => matchesAny(granted, arn);
        assert.ok(
            readable(
                `arn:aws:ssm:${REGION}::parameter/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id`,
            ),
        );
        assert.ok(
            !readable(
                `arn:aws:ssm:us-east-1::parameter/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id`,
            ),
        );
        assert.ok(!readable(`arn:aws:ssm:${REGION}::parameter/other/x`));
    });

    it("platformResources covers every environment of the prefix and only this account and region", () => {
        const resources = platformResources(SCOPE);
        for (const [service, arns] of Object.entries(resources)) {
            for (const arn of arns) {
                const [, partition, arnService, region, account] = arn.split(":");
                assert.equal(partition, "aws", arn);
                assert.equal(arnService, service, arn);
                assert.ok(region === "" || region === REGION, arn);
                assert.ok(account === "" || account === ACCOUNT, arn);
            }
        }
    });
});

describe("the boundaries the deploy role must put on what it creates (deployer-policies.ts names, deploy-permissions.ts uses)", () => {
    const scope = { region: REGION, accountId: ACCOUNT, prefix: "cip-dev", environment: "dev", environmentTagKey: "environment" };
    const principal = `arn:aws:iam::${ACCOUNT}:role/ciplatform-foundation/cip-deployer-deploy-dev`;
    const can = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
        simulate({ identityPolicies: deployPolicyDocuments(scope), principal, action, resource, context });
    const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

    it("the boundary ARNs: the foundation's path, one per environment and kind", () => {
        assert.equal(workloadBoundaryArn(ACCOUNT, "cip-dev"), `arn:aws:iam::${ACCOUNT}:policy/ciplatform/cip-dev-workload-boundary`);
        assert.equal(supplyChainBoundaryArn(ACCOUNT, "cip-dev"), `arn:aws:iam::${ACCOUNT}:policy/ciplatform/cip-dev-supply-chain-boundary`);
        assert.notEqual(workloadBoundaryArn(ACCOUNT, "cip-prod"), workloadBoundaryArn(ACCOUNT, "cip-dev"));
        assert.notEqual(workloadBoundaryArn(OTHER_ACCOUNT, "cip-dev"), workloadBoundaryArn(ACCOUNT, "cip-dev"));
    });

    it("creates the environment's roles only with one of its two boundaries, users only with the workload one", async () => {
        const workload = { "iam:PermissionsBoundary": workloadBoundaryArn(ACCOUNT, "cip-dev") };
        const supplyChain = { "iam:PermissionsBoundary": supplyChainBoundaryArn(ACCOUNT, "cip-dev") };
        assert.equal(await can("iam:CreateRole", role("cip-dev-karpenter"), workload), "Allowed");
        assert.equal(await can("iam:CreateRole", role("cip-dev-image-push"), supplyChain), "Allowed");
        assert.equal(await can("iam:CreateRole", role("cip-dev-karpenter")), "ImplicitlyDenied", "CreateRole without a boundary");
        for (const other of [
            workloadBoundaryArn(ACCOUNT, "cip-prod"),
            supplyChainBoundaryArn(ACCOUNT, "cip-prod"),
            workloadBoundaryArn(OTHER_ACCOUNT, "cip-dev"),
            `arn:aws:iam::${ACCOUNT}:policy/ciplatform/cip-dev-admin`,
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ]) {
            assert.equal(
                await can("iam:CreateRole", role("cip-dev-karpenter"), { "iam:PermissionsBoundary": other }),
                "ImplicitlyDenied",
                other,
            );
        }
        assert.equal(await can("iam:CreateRole", role("cip-prod-karpenter"), workload), "ImplicitlyDenied");
        assert.equal(await can("iam:CreateRole", role("admin"), workload), "ImplicitlyDenied");
        const user = `arn:aws:iam::${ACCOUNT}:user/ciplatform/cip-dev-snapshots`;
        assert.equal(await can("iam:CreateUser", user, workload), "Allowed");
        assert.equal(await can("iam:CreateUser", user, supplyChain), "ImplicitlyDenied");
        assert.equal(await can("iam:CreateUser", user), "ImplicitlyDenied");
    });

    it("can never remove, replace or rewrite a boundary: PutRolePermissionsBoundary, Delete*PermissionsBoundary, policy versions", async () => {
        const own = workloadBoundaryArn(ACCOUNT, "cip-dev");
        assert.notEqual(
            await can("iam:PutRolePermissionsBoundary", role("cip-dev-karpenter"), {
                "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess",
            }),
            "Allowed",
        );
        assert.equal(await can("iam:DeleteRolePermissionsBoundary", role("cip-dev-karpenter")), "ExplicitlyDenied");
        assert.equal(await can("iam:DeleteUserPermissionsBoundary", `arn:aws:iam::${ACCOUNT}:user/cip-dev-snapshots`), "ExplicitlyDenied");
        for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"]) {
            assert.equal(await can(action, own), "ExplicitlyDenied", `${action} on its own boundary`);
            assert.equal(await can(action, supplyChainBoundaryArn(ACCOUNT, "cip-dev")), "ExplicitlyDenied", action);
        }
        assert.equal(await can("iam:CreatePolicy", `arn:aws:iam::${ACCOUNT}:policy/cip-dev-anything`), "ExplicitlyDenied");
    });

    it("passes only the environment's roles, only to their services; attaches only the reviewed managed policies", async () => {
        const pass = (name: string, service: string) => can("iam:PassRole", role(name), { "iam:PassedToService": service });
        assert.equal(await pass("cip-dev-cluster-system-node", "eks.amazonaws.com"), "Allowed");
        assert.equal(await pass("cip-prod-cluster-system-node", "eks.amazonaws.com"), "ImplicitlyDenied");
        assert.equal(await pass("ciplatform-foundation/cip-deployer-deploy-dev", "eks.amazonaws.com"), "ImplicitlyDenied");
        assert.equal(await pass("admin", "eks.amazonaws.com"), "ImplicitlyDenied");
        assert.equal(await pass("cip-dev-cluster-system-node", "lambda.amazonaws.com"), "ImplicitlyDenied");
        for (const policy of ATTACHABLE_MANAGED_POLICIES) {
            assert.equal(await can("iam:AttachRolePolicy", role("cip-dev-nodes"), { "iam:PolicyARN": policy }), "Allowed", policy);
        }
        for (const policy of [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/IAMFullAccess",
            workloadBoundaryArn(ACCOUNT, "cip-dev"),
        ]) {
            assert.equal(await can("iam:AttachRolePolicy", role("cip-dev-nodes"), { "iam:PolicyARN": policy }), "ImplicitlyDenied", policy);
        }
        assert.equal(
            await can("iam:AttachRolePolicy", role("cip-prod-nodes"), { "iam:PolicyARN": ATTACHABLE_MANAGED_POLICIES[0] }),
            "ImplicitlyDenied",
        );
    });

    it("reaches nothing of another environment, account or region, nor outside its purpose", async () => {
        for (const [action, resource, context] of [
            ["eks:DeleteCluster", r("eks", "cluster/cip-prod")],
            ["eks:DeleteCluster", r("eks", "cluster/cip-dev", OTHER_ACCOUNT)],
            ["eks:DeleteCluster", r("eks", "cluster/cip-dev", ACCOUNT, "us-east-1")],
            ["iam:PutRolePolicy", role("cip-prod-karpenter")],
            ["iam:PutRolePolicy", role("ciplatform-foundation/cip-dev-eks-cluster")],
            ["s3:DeleteBucket", "arn:aws:s3:::cip-prod-jenkins-dr"],
            ["secretsmanager:GetSecretValue", r("secretsmanager", "secret:cip-prod/jenkins-AbCdEf")],
            ["sqs:DeleteQueue", r("sqs", "cip-dev-karpenter", ACCOUNT, "us-east-1")],
            ["organizations:LeaveOrganization", "*"],
            ["iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/alice`],
            ["iam:CreateAccessKey", `arn:aws:iam::${ACCOUNT}:user/alice`],
            ["sts:AssumeRole", role("OrganizationAccountAccessRole")],
        ] as ReadonlyArray<readonly [string, string, Record<string, string>?]>) {
            assert.notEqual(await can(action, resource, context), "Allowed", `${action} on ${resource}`);
        }
    });

    function r(service: string, resource: string, account = ACCOUNT, region = REGION): string {
        return `arn:aws:${service}:${region}:${account}:${resource}`;
    }
});
