/**
 * Issue #23's ten blockers, each reconstructed from the commit before its fix (a fixture under
 * test/fixtures/rehearse/, cut from that commit's plan or copied from its file), failing the one check that
 * catches it, next to the passing counterpart. The checks are imported from where they live (one
 * implementation each); docs/rehearsal.md has the table blocker -> check -> source -> fixture.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { linstorCluster } from "../../../components/storage/objects";
import { karpenterControllerPolicies } from "../../../components/karpenter/policy";
import { workloadBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { runnerTag, githubRunnerLabel } from "../../../components/foundation/runner-labels";
import type { PlanFile } from "../../../tools/offline/plan";
import { awsQuotas } from "../../../tools/rehearse/checks/aws-quotas";
import { existence } from "../../../tools/rehearse/checks/existence";
import { kubernetesAdmission } from "../../../tools/rehearse/checks/kubernetes-admission";
import { schedulingCheck, schedulingFindings } from "../../../tools/rehearse/checks/scheduling";
import { stackReferences } from "../../../tools/rehearse/checks/stack-references";
import { evaluateIam } from "../../../tools/rehearse/iam-eval";
import type { RehearsalCheck, RehearsalFinding } from "../../../tools/rehearse/model";
import { rehearsalContext } from "../../../tools/rehearse/order";
import { validatePlan } from "../../../tools/rehearse/run";
import { gitlabPipelineFor, readGitlabPipeline } from "../../../tools/pipelines/gitlab";
import { GithubEvent, githubRunsFor, readGithubWorkflow } from "../../../tools/pipelines/github";

const ROOT = path.join(__dirname, "..", "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "rehearse");
const text = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), "utf8");
const plan = (name: string): PlanFile => validatePlan(JSON.parse(text(name)), name);
const run = (check: RehearsalCheck, p: PlanFile): RehearsalFinding[] => check.run(rehearsalContext(p));

describe("issue #23: the ten blockers, each failing the check that catches it and passing once fixed", () => {
    it("1. the deploy role's inline policies over IAM's 10,240-character aggregate (aws-quotas; a6d3511)", () => {
        const over = run(awsQuotas, plan("aws-quotas-deploy-role-inline-over.json"));
        assert.ok(over.length > 0);
        assert.ok(over.every((f) => f.check === "aws-quotas" && /reference_iam-quotas/.test(f.source)));
        // For the stated reason: each put past the role's inline aggregate, not a name, path or tag rule of the same page.
        assert.ok(
            over.every((f) => /^PutRolePolicy .* over the aggregate quota of 10240 \(not adjustable\): LimitExceeded/.test(f.why)),
            over.map((f) => f.why).join("\n"),
        );
        assert.deepEqual(run(awsQuotas, plan("aws-quotas-deploy-role-inline-within.json")), []);
    });

    it("2. Karpenter's node access entry created before its cluster (existence; a6d3511)", () => {
        const before = run(existence, plan("existence-access-entry-before-cluster.json"));
        assert.ok(before.length > 0);
        assert.ok(before.every((f) => f.check === "existence"));
        // For the stated reason: the access entry names the cluster by a plain value and does not wait for CreateCluster.
        assert.equal(before.length, 1);
        assert.equal(before[0].urn.split("::").pop(), "cip-dev-karpenter-node");
        assert.match(
            before[0].why,
            /^input clusterName = "cip-dev" names Cluster "cip-dev-cluster-eks" .* which it does not depend on: .*CreateAccessEntry/,
        );
        assert.deepEqual(run(existence, plan("existence-access-entry-after-cluster.json")), []);
    });

    describe("3. Karpenter's instance profile calls denied by the workload boundary (controller-calls' IAM evaluator, tools/rehearse/iam-eval.ts)", () => {
        const account = "123456789012";
        const controller = Object.values(
            karpenterControllerPolicies({
                region: "eu-west-1",
                accountId: account,
                clusterName: "cip-dev",
                nodeRoleArn: `arn:aws:iam::${account}:role/cip-dev-karpenter-node`,
                interruptionQueueArn: `arn:aws:sqs:eu-west-1:${account}:cip-dev`,
                volumeKeyArn: `arn:aws:kms:eu-west-1:${account}:key/abc`,
            }),
        );
        const tags = {
            "aws:RequestTag/kubernetes.io/cluster/cip-dev": "owned",
            "aws:RequestTag/eks:eks-cluster-name": "cip-dev",
            "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "general",
            "aws:RequestTag/topology.kubernetes.io/region": "eu-west-1",
            "aws:TagKeys": [
                "kubernetes.io/cluster/cip-dev",
                "eks:eks-cluster-name",
                "karpenter.k8s.aws/ec2nodeclass",
                "topology.kubernetes.io/region",
            ],
        };
        const principalArn = `arn:aws:sts::${account}:assumed-role/cip-dev-karpenter-controller/session`;
        const boundaryFixture = (name: string): unknown => JSON.parse(text(`blockers/${name}`));
        const current = workloadBoundaryDocument({ accountId: account, region: "eu-west-1", prefix: "cip-dev" });
        // karpenter-provider-aws v1.14.1 pkg/providers/instanceprofile/instanceprofile.go: Create under /karpenter/<region>/<cluster>/<uid>/,
        // preceded by a Get by name, whose ARN IAM forms without the path.
        const create = {
            action: "iam:CreateInstanceProfile",
            resource: `arn:aws:iam::${account}:instance-profile/karpenter/eu-west-1/cip-dev/6f1c2a9e-1b2c-4d5e-8f90-123456789abc/cip-dev_1234567890123456789`,
            principalArn,
            context: tags,
        };
        const get = {
            action: "iam:GetInstanceProfile",
            resource: `arn:aws:iam::${account}:instance-profile/cip-dev_1234567890123456789`,
            principalArn,
            context: {},
        };

        it("the path: denied by the boundary of 401cc36^ (profiles only at the root), allowed by main's", () => {
            assert.notEqual(
                evaluateIam(create, { identity: controller, boundary: boundaryFixture("workload-boundary-before-401cc36.json") }).decision,
                "Allowed",
            );
            assert.equal(evaluateIam(create, { identity: controller, boundary: current }).decision, "Allowed");
        });
        it("the path-less pre-create GetInstanceProfile: denied by the boundary of b39b3ff^ (the path only), allowed by main's", () => {
            assert.notEqual(
                evaluateIam(get, { identity: controller, boundary: boundaryFixture("workload-boundary-before-b39b3ff.json") }).decision,
                "Allowed",
            );
            assert.equal(evaluateIam(get, { identity: controller, boundary: current }).decision, "Allowed");
        });
    });

    it("4. the piraeus operator's LINSTOR pods with no node that admits them (scheduling; a6d3511)", () => {
        const before = plan("dev-before-linstor-tolerations.json");
        const context = rehearsalContext(before);
        const stepOf = (urn: string): number => context.stepOf.get(urn)?.index ?? 0;
        const failing = schedulingFindings(before.resources, stepOf).filter((f) => /piraeus operator/.test(f.why));
        assert.ok(failing.some((f) => /linstor-controller \(piraeus operator\) in piraeus-datastore stays Pending/.test(f.why)));
        const fixed = before.resources.map((r) =>
            r.type === "kubernetes:piraeus.io/v1:LinstorCluster"
                ? { ...r, inputs: { ...r.inputs, spec: linstorCluster("linstor-passphrase").spec } }
                : r,
        );
        assert.deepEqual(schedulingFindings(fixed, stepOf), []);
    });

    it("5. the LB controller's Service webhook rejecting cert-manager's Services while its pods are down (kubernetes-admission; a6d3511)", () => {
        const race = run(kubernetesAdmission, plan("kubernetes-admission-webhook-race.json"));
        assert.equal(race.length, 1);
        assert.match(race[0].why, /mservice\.elbv2\.k8s\.aws with failurePolicy Fail/);
        assert.deepEqual(run(kubernetesAdmission, plan("kubernetes-admission-webhook-after-release.json")), []);
    });

    it("6. a stack reference across backends (stack-references; a6d3511): passes with one backend and a read of the foundation's checkpoint", () => {
        const two = run(stackReferences, plan("stack-references-two-backends.json"));
        assert.equal(two.length, 1);
        assert.match(two[0].why, /this stack lives in s3:\/\/\S+, but organization\/ciplatform-foundation\/account/);
        // One backend, and both roles that run the stack may read the foundation's checkpoint (the fix of #21 item 2).
        const one = plan("stack-references-same-backend-no-read.json");
        const ref = one.stackReferences?.[0];
        assert.ok(ref);
        const checkpoint = `arn:aws:s3:::${String(ref.outputs.stateBucket)}/.pulumi/stacks/ciplatform-foundation/account.json`;
        const reads = ref.resources
            .filter((r) => r.type === "aws:iam/role:Role")
            .map((role) => ({
                ...role,
                urn: `${role.urn}-foundation-read`,
                type: "aws:iam/rolePolicy:RolePolicy",
                name: `${role.name}-foundation-read`,
                inputs: {
                    role: role.identifiers?.name,
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: checkpoint }],
                    }),
                },
                identifiers: {},
            }));
        assert.equal(run(stackReferences, one).length, 2, "without the read, both roles fail");
        assert.deepEqual(run(stackReferences, { ...one, stackReferences: [{ ...ref, resources: [...ref.resources, ...reads] }] }), []);
    });

    describe("7. a secrets provider nobody can initialise: a stack file without secretsprovider falls back to the passphrase (.ci/check-stack-file)", () => {
        const check = (content: string): { status: number; stderr: string } => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blocker-stack-file-"));
            const file = path.join(dir, "Pulumi.dev.yaml");
            fs.writeFileSync(file, content);
            const r = spawnSync(path.join(ROOT, ".ci", "check-stack-file"), [file], { encoding: "utf8" });
            return { status: r.status ?? -1, stderr: r.stderr };
        };
        it("fails Pulumi.dev.yaml of 0a05aef^ (no secretsprovider); passes main's once stack init wrote its data key", () => {
            const before = check(text("blockers/Pulumi.dev-before-0a05aef.yaml"));
            assert.equal(before.status, 1);
            assert.match(before.stderr, /has no 'secretsprovider: awskms:\/\/…'/);
            // Main's file names the KMS provider; `pulumi stack init` adds the data key it encrypts (docs/empty-account.md).
            const main = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
            assert.doesNotMatch(check(main).stderr, /secretsprovider/);
            assert.equal(check(`${main}encryptedkey: AQICAHhBase64Key==\n`).status, 0);
        });
    });

    describe("8. GitLab rules that never match: quoted variables are literals (tools/pipelines/gitlab.ts evaluator)", () => {
        const mainStaging = {
            CI_PIPELINE_SOURCE: "push",
            CI_COMMIT_BRANCH: "main-staging",
            CI_COMMIT_REF_NAME: "main-staging",
            CI_COMMIT_REF_PROTECTED: "true",
            CI_DEFAULT_BRANCH: "main",
        };
        const jobs = (file: string): string[] => gitlabPipelineFor(readGitlabPipeline(file), mainStaging).jobs.map((j) => j.name);
        it("fails .gitlab-ci.yml of f9769ed^: a push to main-staging deploys nothing; main's deploys staging", () => {
            assert.ok(!jobs(text("blockers/gitlab-ci-before-f9769ed.yml")).includes("up-staging"));
            assert.ok(jobs(fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8")).includes("up-staging"));
        });
    });

    describe("9. runner hosts a pull request's job can take over: previews on long-lived self-hosted runners (tools/pipelines/github.ts)", () => {
        const repo = "example-org/ciplatform";
        const pr: GithubEvent = {
            name: "pull_request",
            ref: "refs/pull/7/merge",
            repository: repo,
            event: { pull_request: { head: { repo: { full_name: repo } } } },
        };
        /**
         * Jobs of a pull request that leave GitHub's hosted runners must get a build of their own: CodeBuild's per-run
         * label for the environment's preview project (components/foundation/runner-labels.ts), never a shared host.
         */
        const sharedHosts = (file: string): string[] =>
            githubRunsFor(readGithubWorkflow(file), pr)
                .filter((r) => !r.runsOn.every((l) => /^ubuntu-/.test(l)))
                .filter((r) => {
                    const fresh = githubRunnerLabel(runnerTag(String(r.matrix.stack), "preview"))
                        .replace(/\$\{\{ github\.run_id \}\}/, "1234567890")
                        .replace(/\$\{\{ github\.run_attempt \}\}/, "1");
                    return !(r.runsOn.length === 1 && r.runsOn[0] === fresh);
                })
                .map((r) => `${r.job}[${String(r.matrix.stack)}] on ${r.runsOn.join(",")}`);
        it("fails the workflow of f9769ed^ (previews on [self-hosted, ciplatform-<env>-preview]); passes main's (one CodeBuild build per run)", () => {
            const before = sharedHosts(text("blockers/github-platform-before-f9769ed.yml"));
            assert.ok(before.length > 0);
            assert.ok(
                before.every((d) => /self-hosted/.test(d)),
                before.join("\n"),
            );
            assert.deepEqual(sharedHosts(fs.readFileSync(path.join(ROOT, ".github", "workflows", "platform.yml"), "utf8")), []);
        });
    });

    it("10. a release created before (or in parallel with) the capacity that admits its pods (scheduling; 401cc36^)", () => {
        const before = run(schedulingCheck, plan("scheduling-release-before-capacity.json"));
        assert.ok(before.length > 0);
        assert.ok(before.every((f) => /^no node can admit .* when the release waits/.test(f.why)));
        assert.deepEqual(run(schedulingCheck, plan("scheduling-release-after-capacity.json")), []);
    });
});
