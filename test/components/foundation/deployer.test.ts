import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import {
    deployTrustPolicy,
    previewTrustPolicy,
    thirdPartyTrustPolicy,
    TrustContext,
} from "../../../components/foundation/deployer-policies";
import { deployPolicyDocuments } from "../../../components/foundation/deploy-permissions";
import { DEPLOY_SESSION_SECONDS, validateDeployerArgs } from "../../../components/foundation/deployer";
import { serviceKeyPolicy } from "../../../components/shared/kms-policies";
import { ConfigError, ofType, plan, PlanFile, single } from "../../helpers/mocks";
import { simulate, simulateWebIdentity } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`;
const GITLAB: TrustContext = {
    provider: "gitlab",
    oidcProviderArn: OIDC,
    issuerHost: "gitlab.com",
    project: "platform-team/ciplatform",
    protectedBranch: "main",
    audiencePrefix: "ciplatform",
};
const ROOT = path.join(__dirname, "..", "..", "..");

/** What a GitLab job's id_token carries: its project, ref and requested audience. */
function gitlabToken(project: string, ref: string, aud: string): Record<string, string> {
    return { sub: `project_path:${project}:ref_type:branch:ref:${ref}`, aud };
}

describe("deployer", () => {
    describe("trust", () => {
        async function assumable(token: Record<string, string>): Promise<string[]> {
            // Built in the test, not the describe body: a document built while mocha loads the file is no test's to mutation testing.
            const roles = {
                preview: previewTrustPolicy(GITLAB),
                dev: deployTrustPolicy(GITLAB, "dev"),
                prod: deployTrustPolicy(GITLAB, "prod"),
            };
            const allowed: string[] = [];
            for (const [name, trust] of Object.entries(roles)) {
                const decision = await simulateWebIdentity(trust, "gitlab.com", token, OIDC);
                if (decision === "Allowed") {
                    allowed.push(name);
                }
            }
            return allowed;
        }

        it("a merge-request pipeline's token assumes only the preview role", async () => {
            assert.deepEqual(await assumable(gitlabToken("platform-team/ciplatform", "feature/new-pool", "ciplatform-preview")), [
                "preview",
            ]);
            // Even when the merge request asks for a deploy audience, its branch is not the protected one.
            assert.deepEqual(await assumable(gitlabToken("platform-team/ciplatform", "feature/new-pool", "ciplatform-prod")), []);
        });

        it("a protected-branch token assumes only its environment's deploy role", async () => {
            assert.deepEqual(await assumable(gitlabToken("platform-team/ciplatform", "main", "ciplatform-dev")), ["dev"]);
            assert.deepEqual(await assumable(gitlabToken("platform-team/ciplatform", "main-prod", "ciplatform-prod")), ["prod"]);
        });

        it("GitLab: a job on main cannot pick prod's audience to deploy prod; prod deploys only from its own protected ref", async () => {
            // The audience is chosen by the job; the ref is not (GitLab signs it), so environments differ by ref.
            assert.deepEqual(await assumable(gitlabToken("platform-team/ciplatform", "main", "ciplatform-prod")), []);
            assert.deepEqual(await assumable(gitlabToken("platform-team/ciplatform", "main-prod", "ciplatform-dev")), []);
            const tagged = deployTrustPolicy({ ...GITLAB, environmentRefs: { prod: "tag:release-*" } }, "prod");
            const tagToken = { sub: "project_path:platform-team/ciplatform:ref_type:tag:ref:release-1.2.0", aud: "ciplatform-prod" };
            assert.equal(await simulateWebIdentity(tagged, "gitlab.com", tagToken, OIDC), "Allowed");
            assert.equal(
                await simulateWebIdentity(
                    tagged,
                    "gitlab.com",
                    { ...tagToken, sub: "project_path:platform-team/ciplatform:ref_type:branch:ref:release-1.2.0" },
                    OIDC,
                ),
                "ImplicitlyDenied",
            );
        });

        it("another project's token assumes nothing", async () => {
            assert.deepEqual(await assumable(gitlabToken("someone/fork", "main", "ciplatform-prod")), []);
            assert.deepEqual(await assumable(gitlabToken("someone/fork", "feature", "ciplatform-preview")), []);
            assert.deepEqual(await assumable(gitlabToken("platform-team/ciplatform-other", "main", "ciplatform-dev")), []);
        });

        it("GitHub: pull requests preview, environments deploy", async () => {
            const github: TrustContext = {
                ...GITLAB,
                provider: "github",
                issuerHost: "token.actions.githubusercontent.com",
                oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
            };
            const can = (trust: ReturnType<typeof previewTrustPolicy>, sub: string) =>
                simulateWebIdentity(
                    trust,
                    "token.actions.githubusercontent.com",
                    { sub, aud: "sts.amazonaws.com" },
                    github.oidcProviderArn,
                );
            assert.equal(await can(previewTrustPolicy(github), "repo:platform-team/ciplatform:pull_request"), "Allowed");
            assert.equal(await can(deployTrustPolicy(github, "prod"), "repo:platform-team/ciplatform:pull_request"), "ImplicitlyDenied");
            assert.equal(await can(deployTrustPolicy(github, "prod"), "repo:platform-team/ciplatform:environment:prod"), "Allowed");
            assert.equal(await can(deployTrustPolicy(github, "prod"), "repo:platform-team/ciplatform:environment:dev"), "ImplicitlyDenied");
        });

        it("a third party needs the External ID", async () => {
            const trust = thirdPartyTrustPolicy("444455556666", "s3cr3t-external-id");
            // Cross-account: the auditor's own account must allow the call too.
            const auditorPolicy = {
                Version: "2012-10-17" as const,
                Statement: [{ Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: `arn:aws:iam::${ACCOUNT}:role/third-party` }],
            };
            const assume = (externalId?: string) =>
                simulate({
                    identityPolicies: [auditorPolicy],
                    resourcePolicy: trust,
                    principal: "arn:aws:iam::444455556666:role/auditor",
                    action: "sts:AssumeRole",
                    resource: `arn:aws:iam::${ACCOUNT}:role/third-party`,
                    context: externalId ? { "sts:ExternalId": externalId } : {},
                });
            assert.equal(await assume("s3cr3t-external-id"), "Allowed");
            assert.equal(await assume("guess"), "ImplicitlyDenied");
            assert.equal(await assume(), "ImplicitlyDenied");
        });
    });

    describe("deploy permissions", () => {
        // Built in each test, not the describe body: a document built while mocha loads the file is no test's to mutation testing.
        const build = () =>
            deployPolicyDocuments({
                region: "eu-west-1",
                accountId: ACCOUNT,
                prefix: "cip-dev",
                environment: "dev",
                environmentTagKey: "environment",
            });
        const principal = `arn:aws:iam::${ACCOUNT}:role/deploy-dev`;

        it("has no *:*, no service wildcards and no unscoped iam:*", () => {
            const statements = build().flatMap((d) => d.Statement);
            const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
            assert.ok(!actions.some((a) => a === "*" || a.endsWith(":*")), actions.filter((a) => a.includes("*")).join(", "));
            for (const s of statements.filter(
                (st) => st.Effect === "Allow" && (Array.isArray(st.Action) ? st.Action : [st.Action]).some((a) => a.startsWith("iam:")),
            )) {
                assert.notEqual(s.Resource, "*", s.Sid);
            }
        });

        it("passes only the environment's platform roles, only to their services", async () => {
            const documents = build();
            const pass = (role: string, service: string) =>
                simulate({
                    identityPolicies: documents,
                    principal,
                    action: "iam:PassRole",
                    resource: `arn:aws:iam::${ACCOUNT}:role/${role}`,
                    context: { "iam:PassedToService": service },
                });
            // Managed node groups: EKS takes the node role (provider-actions.ts, aws:eks/nodeGroup:NodeGroup).
            assert.equal(await pass("cip-dev-cluster-system-node-1a2b3c4", "eks.amazonaws.com"), "Allowed");
            assert.equal(await pass("ciplatform-foundation/cip-dev-eks-cluster", "eks.amazonaws.com"), "Allowed");
            assert.equal(await pass("cip-prod-cluster-system-node-1a2b3c4", "eks.amazonaws.com"), "ImplicitlyDenied");
            assert.equal(await pass("OrganizationAccountAccessRole", "eks.amazonaws.com"), "ImplicitlyDenied");
            // No platform call passes a role to EC2 (the runners' instance profiles are the foundation's): not granted.
            assert.equal(await pass("cip-dev-cluster-system-node-1a2b3c4", "ec2.amazonaws.com"), "ImplicitlyDenied");
            assert.equal(await pass("cip-dev-cluster-system-node-1a2b3c4", "lambda.amazonaws.com"), "ImplicitlyDenied");
            assert.equal(await pass("ciplatform-foundation/cip-dev-runners-deploy-instance", "eks.amazonaws.com"), "ImplicitlyDenied");
        });

        it("changes only its own environment's resources", async () => {
            const documents = build();
            // KMS also consults the key policy: the platform's keys delegate administration to the account's IAM.
            const keyPolicy = serviceKeyPolicy(ACCOUNT, "eu-west-1", "s3");
            const can = (action: string, resource: string, context: Record<string, string> = {}) =>
                simulate({
                    identityPolicies: documents,
                    resourcePolicy: action.startsWith("kms:") ? keyPolicy : undefined,
                    principal,
                    action,
                    resource,
                    context,
                });
            const boundary = { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/ciplatform/cip-dev-workload-boundary` };
            assert.equal(await can("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/cip-dev-karpenter-node-abc`, boundary), "Allowed");
            assert.equal(await can("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/admin`, boundary), "ImplicitlyDenied");
            assert.equal(await can("eks:DeleteCluster", "arn:aws:eks:eu-west-1:123456789012:cluster/cip-prod"), "ImplicitlyDenied");
            assert.equal(await can("s3:DeleteBucket", "arn:aws:s3:::cip-prod-jenkins-dr"), "ImplicitlyDenied");
            // Each named resource of another environment, as its own environment's is Allowed (not only type-wide grants, which the pack refuses).
            for (const [action, own, other] of [
                ["secretsmanager:GetSecretValue", "secret:cip-dev/x", "secret:cip-prod/x"],
                ["ecr:DeleteRepository", "repository/cip-dev/apps", "repository/cip-prod/apps"],
                ["sqs:DeleteQueue", "cip-dev", "cip-prod"],
                ["events:DeleteRule", "rule/cip-dev-x", "rule/cip-prod-x"],
            ] as const) {
                const service = action.split(":")[0];
                assert.equal(await can(action, `arn:aws:${service}:eu-west-1:${ACCOUNT}:${own}`), "Allowed", `${action} on ${own}`);
                assert.equal(
                    await can(action, `arn:aws:${service}:eu-west-1:${ACCOUNT}:${other}`),
                    "ImplicitlyDenied",
                    `${action} on ${other}`,
                );
            }
            assert.equal(
                await can("kms:ScheduleKeyDeletion", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`, { "aws:ResourceTag/environment": "prod" }),
                "ExplicitlyDenied",
            );
            assert.equal(
                await can("kms:ScheduleKeyDeletion", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`, { "aws:ResourceTag/environment": "dev" }),
                "Allowed",
            );
            assert.equal(
                await can("ec2:DeleteVpc", `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/vpc-1`, { "aws:ResourceTag/environment": "staging" }),
                "ImplicitlyDenied",
            );
        });
    });

    describe("stack", () => {
        let planned: PlanFile;
        before(async () => {
            planned = await plan({ stack: "account" });
        });

        it("plans the foundation's stack and passes the policy pack", () => {
            assert.equal(planned.summary.mandatory, 0, JSON.stringify(planned.policy.violations));
            assert.equal(ofType(planned, "aws:iam/role:Role").filter((r) => r.name.includes("deployer")).length, 4);
            assert.equal(
                ofType(planned, "aws:iam/policy:Policy").filter((p) => /workload-boundary/.test(String(p.inputs.name))).length,
                3,
                "one workload boundary per environment",
            );
            assert.equal(ofType(planned, "eks:index:Cluster").length, 0);
        });

        it("deploy sessions last 3 hours (a first platform up can exceed one), previews 1 hour", () => {
            const roles = ofType(planned, "aws:iam/role:Role").filter((r) => r.name.includes("deployer"));
            assert.deepEqual(Object.fromEntries(roles.map((r) => [r.name, r.inputs.maxSessionDuration])), {
                "cip-deployer-preview": 3600,
                "cip-deployer-deploy-dev": 10800,
                "cip-deployer-deploy-staging": 10800,
                "cip-deployer-deploy-prod": 10800,
            });
            assert.equal(DEPLOY_SESSION_SECONDS, 10_800);
        });

        it("trusts the CI system's OIDC issuer with one audience per role", () => {
            const oidc = single(planned, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            assert.equal(oidc.inputs.url, "https://gitlab.com");
            assert.deepEqual(oidc.inputs.clientIdLists, ["ciplatform-preview", "ciplatform-dev", "ciplatform-staging", "ciplatform-prod"]);
        });

        it("keeps state in a protected, versioned, encrypted bucket with a protected secrets key", () => {
            assert.equal(single(planned, "aws:kms/key:Key", "state-secrets").protect, true);
            assert.equal(single(planned, "aws:s3/bucket:Bucket", "deployer-state").protect, true);
            const versioning = single(planned, "aws:s3/bucketVersioning:BucketVersioning", "deployer-state");
            assert.deepEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
        });

        it("validates its own config: the project is required, keys it does not declare are refused", async () => {
            await assert.rejects(
                plan({
                    stack: "account",
                    configChanges: { "ciplatform-foundation:ciProject": undefined, "ciplatform-foundation:runnersConcurrent": 3 },
                }),
                (err: unknown) => {
                    assert.ok(err instanceof ConfigError);
                    assert.deepEqual(
                        err.issues.map((i) => `${i.key}: ${i.message}`),
                        [
                            "ciplatform-foundation:runnersConcurrent: is not a setting of the ciplatform-foundation project (see its Pulumi.yaml for the keys)",
                            "ciplatform-foundation:ciProject: is required: the repository whose pipelines assume the roles",
                        ],
                    );
                    return true;
                },
            );
            assert.deepEqual(validateDeployerArgs({ project: "no-slash", ciUrl: "https://gitlab.com/path" }), [
                'project: got "no-slash"; use group/project (GitLab) or owner/repo (GitHub)',
                'ciUrl: got "https://gitlab.com/path"; use the issuer\'s https:// URL without a path',
            ]);
        });

        it("hides the third party's External ID", async () => {
            const withThirdParty = await plan({
                stack: "account",
                configChanges: {
                    "ciplatform-foundation:ciThirdPartyAccountId": "444455556666",
                    // A secret in the stack file: `pulumi config set --secret` writes it as a secure: value.
                    "ciplatform-foundation:ciThirdPartyExternalId": { secure: "v1:ext-9f8e7d6c5b4a" },
                },
            });
            assert.equal(single(withThirdParty, "aws:iam/role:Role", "third-party").inputs.assumeRolePolicy, "[secret]");
            assert.ok(!JSON.stringify(withThirdParty).includes("ext-9f8e7d6c5b4a"));
        });
    });

    describe("pipelines", () => {
        it("GitLab: offline plan, previews with the policy pack on merge requests, ups on the protected branch with a manual prod", () => {
            const ci = YAML.parse(fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8"), { merge: true }) as Record<
                string,
                Record<string, unknown>
            >;
            assert.ok(String(ci["offline-plan"].script).includes("npm run plan"));
            assert.equal(ci["offline-plan"].id_tokens, undefined, "the offline plan must not get credentials");
            for (const env of ["dev", "staging", "prod"]) {
                assert.equal((ci[`preview-${env}`].variables as Record<string, string>).STACK, env);
                assert.equal((ci[`up-${env}`].variables as Record<string, string>).STACK, env);
                assert.deepEqual((ci[`up-${env}`].id_tokens as Record<string, { aud: string }>).AWS_ID_TOKEN.aud, `ciplatform-${env}`);
            }
            const preview = ci[".preview"] as {
                script: string[];
                rules: Array<{ if: string }>;
                id_tokens: Record<string, { aud: string }>;
            };
            assert.ok(preview.script.some((l) => l.includes("pulumi preview") && l.includes("--policy-pack policypack")));
            assert.equal(preview.rules[0].if, '$CI_PIPELINE_SOURCE == "merge_request_event"');
            assert.equal(preview.id_tokens.AWS_ID_TOKEN.aud, "ciplatform-preview");
            assert.ok((ci[".up"].script as string[]).some((l) => l.includes("pulumi up") && l.includes("--policy-pack policypack")));
            const prodRules = ci["up-prod"].rules as Array<{ if?: string; when?: string }>;
            assert.equal(prodRules.find((r) => r.if?.includes('"main-prod"'))?.when, "manual");
            assert.ok((ci.default.cache as { paths: string[] }).paths.includes(".npm/"));
            // The CLI's version is the SDK's (.ci/install-pulumi reads it from node_modules): no second pin to drift.
            assert.equal((ci.variables as Record<string, string>).PULUMI_VERSION, undefined);
        });

        it("GitHub Actions: the same jobs, OIDC permissions, pinned actions and policy pack", () => {
            const wf = YAML.parse(fs.readFileSync(path.join(ROOT, ".github/workflows/platform.yml"), "utf8")) as {
                jobs: Record<
                    string,
                    {
                        permissions?: Record<string, string>;
                        steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }>;
                        if?: string;
                    }
                >;
            };
            assert.deepEqual(Object.keys(wf.jobs), ["offline-plan", "render-charts", "rehearse", "preview", "up"]);
            for (const job of ["preview", "up"]) {
                assert.equal(wf.jobs[job].permissions?.["id-token"], "write");
                assert.ok(
                    wf.jobs[job].steps.some((s) => /^pulumi (preview|up) .*--policy-pack policypack/.test(s.run ?? "")),
                    job,
                );
            }
            assert.equal(wf.jobs["offline-plan"].permissions, undefined);
            for (const step of Object.values(wf.jobs).flatMap((j) => j.steps)) {
                if (step.uses) {
                    assert.match(step.uses, /@v\d+\.\d+\.\d+$/, `${step.uses} is not pinned to a version`);
                }
            }
        });
    });
});
