import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlanFile, PlannedResource } from "../../tools/offline/plan";
import { rehearsalContext } from "../../tools/rehearse/order";
import { loadChecks, rehearse, validatePlan } from "../../tools/rehearse/run";
import type { RehearsalCheck, RehearsalFinding } from "../../tools/rehearse/model";
import { existence } from "../../tools/rehearse/checks/existence";
import { awsQuotas } from "../../tools/rehearse/checks/aws-quotas";
import { kubernetesAdmission, pluralOf } from "../../tools/rehearse/checks/kubernetes-admission";
import { stackReferences, backendUrlIn } from "../../tools/rehearse/checks/stack-references";
import { IAM_POLICY_SIZE } from "../../policypack/lib/aws-quotas";
import { plannedResource } from "../helpers/planned-resource";

const FIXTURES = path.join(__dirname, "..", "fixtures", "rehearse");
const fixture = (name: string): PlanFile => validatePlan(JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")), name);
const run = (check: RehearsalCheck, plan: PlanFile): RehearsalFinding[] => check.run(rehearsalContext(plan));

/** A small plan written by hand: resources get URNs under stack `dev` of project `ciplatform`. */
const urnOf = (type: string, name: string): string => plannedResource(type, name).urn;
const res = plannedResource;
function planOf(resources: PlannedResource[], extra: Partial<PlanFile> = {}): PlanFile {
    return {
        version: 2,
        project: "ciplatform",
        stack: "dev",
        resources,
        policy: { pack: "ciplatform", violations: [] },
        summary: { resources: resources.length, byType: {}, mandatory: 0, advisory: 0 },
        outputs: {},
        stackReferences: [],
        backend: null,
        ...extra,
    };
}

describe("rehearsal (tools/rehearse)", () => {
    describe("engine order: created before = transitive dependency (pulumi/pulumi step_executor.go)", () => {
        const provider = res("pulumi:providers:kubernetes", "k8s", {}, { dependsOn: [urnOf("eks:index:Cluster", "c")] });
        const cluster = res("eks:index:Cluster", "c", { name: "cip-dev" }, { custom: false, remote: true });
        const component = res("ciplatform:x:Comp", "comp", {}, { custom: false, remote: false });
        const child = res("aws:iam/role:Role", "child", {}, { parent: component.urn });
        const waitsForComponent = res("aws:sqs/queue:Queue", "q", {}, { dependsOn: [component.urn] });
        const viaProvider = res("kubernetes:core/v1:Namespace", "ns", {}, { provider: provider.urn });
        const unrelated = res("aws:s3/bucket:Bucket", "b");
        const plan = planOf([viaProvider, waitsForComponent, unrelated, component, child, provider, cluster]);
        const context = rehearsalContext(plan);

        it("orders every resource after what it waits for: provider (and what the provider waits for), component children", () => {
            const index = (r: PlannedResource) => context.stepOf.get(r.urn)?.index ?? 0;
            assert.ok(index(cluster) < index(provider) && index(provider) < index(viaProvider));
            assert.ok(index(child) < index(waitsForComponent));
            assert.equal(context.steps.length, plan.resources.length);
        });
        it("models 'created before' as a transitive dependency, not list order: unrelated resources run in parallel", () => {
            assert.ok(context.createdBefore(viaProvider.urn, cluster.urn), "the namespace waits for the cluster through its provider");
            assert.ok(context.createdBefore(waitsForComponent.urn, child.urn), "depending on a component waits for everything below it");
            assert.ok(!context.createdBefore(viaProvider.urn, unrelated.urn), "the bucket is unrelated: not created before");
            assert.ok((context.stepOf.get(unrelated.urn)?.index ?? 99) < (context.stepOf.get(viaProvider.urn)?.index ?? 0));
        });
        it("a custom parent is waited for; a local component parent is not", () => {
            const parent = res("aws:s3/bucket:Bucket", "parent");
            const kid = res("aws:s3/bucketPolicy:BucketPolicy", "kid", {}, { parent: parent.urn });
            const c = rehearsalContext(planOf([kid, parent, component, child]));
            assert.ok(c.createdBefore(kid.urn, parent.urn));
            assert.ok(!c.createdBefore(child.urn, component.urn));
        });
        it("a local component's children wait for the component's own dependsOn (@pulumi/pulumi 3.270.0 runtime/resource.js: dependsOn awaited before the component's URN, which children await)", () => {
            const gated = res("ciplatform:x:Gated", "gated", {}, { custom: false, remote: false, dependsOn: [cluster.urn] });
            const inner = res("ciplatform:x:Inner", "inner", {}, { custom: false, remote: false, parent: gated.urn });
            const grandchild = res("kubernetes:core/v1:Namespace", "gc", {}, { parent: inner.urn });
            const sibling = res("aws:iam/role:Role", "sibling", {}, { parent: gated.urn });
            const c = rehearsalContext(planOf([grandchild, sibling, inner, gated, cluster]));
            assert.ok(c.createdBefore(sibling.urn, cluster.urn), "a child waits for its component's dependsOn");
            assert.ok(c.createdBefore(grandchild.urn, cluster.urn), "and so does a grandchild under a nested local component");
            assert.ok(!c.createdBefore(grandchild.urn, sibling.urn), "but not for the component's other children");
            assert.ok((c.stepOf.get(cluster.urn)?.index ?? 99) < (c.stepOf.get(grandchild.urn)?.index ?? 0));
        });
    });

    describe("existence at create time", () => {
        describe("config values and provider functions exist before the stack (plan v2 config, invokes)", () => {
            const connection = "arn:aws:codeconnections:eu-west-1:123456789012:connection/8d5c2f0e-4b1a-4c7e-9f3a-2e6b7d9c1a40";
            const admin = "arn:aws:iam::123456789012:user/platform-admin";
            const foundationOf = (extra: Partial<PlanFile>): PlanFile =>
                planOf(
                    [
                        res("aws:codebuild/sourceCredential:SourceCredential", "runners-github", {
                            authType: "CODECONNECTIONS",
                            token: connection,
                        }),
                        res("aws:kms/key:Key", "state", {
                            policy: JSON.stringify({
                                Version: "2012-10-17",
                                Statement: [{ Effect: "Allow", Principal: { AWS: admin }, Action: "kms:*", Resource: "*" }],
                            }),
                        }),
                    ],
                    { project: "ciplatform-foundation", stack: "account", ...extra },
                );
            it("fails before plan v2 recorded them (the foundation's documented runnersConnectionArn and getCallerIdentity's ARN named nothing)", () => {
                const findings = run(existence, foundationOf({}));
                assert.equal(findings.length, 2, JSON.stringify(findings, null, 1));
                assert.match(findings[0].why, /token = "arn:aws:codeconnections:.*names nothing this stack creates/);
                assert.match(findings[1].why, /Principal = "arn:aws:iam::123456789012:user\/platform-admin" names nothing/);
            });
            it("passes once the plan records the non-secret config (structured values too) and the invokes' answers", () => {
                const plan = foundationOf({
                    config: { "ciplatform-foundation:runners": JSON.stringify({ connectionArn: connection }) },
                    invokes: [
                        { token: "aws:index/getCallerIdentity:getCallerIdentity", result: { accountId: "123456789012", arn: admin } },
                    ],
                });
                assert.doesNotThrow(() => validatePlan(JSON.parse(JSON.stringify(plan)), "v2 plan with config and invokes"));
                assert.deepEqual(run(existence, plan), []);
            });
            it("a secret config key's value is not in the plan, so it does not count", () => {
                const plan = foundationOf({
                    secretConfigKeys: ["ciplatform-foundation:runnersConnectionArn"],
                    invokes: [
                        { token: "aws:index/getCallerIdentity:getCallerIdentity", result: { accountId: "123456789012", arn: admin } },
                    ],
                });
                assert.equal(run(existence, plan).length, 1);
            });
        });
        it("fails #22 item 2 (main before the fix, a6d3511): Karpenter's node access entry names cluster cip-dev by a plain value and races CreateCluster", () => {
            const findings = run(existence, fixture("existence-access-entry-before-cluster.json"));
            assert.equal(findings.length, 1, JSON.stringify(findings, null, 1));
            assert.match(findings[0].urn, /AccessEntry::cip-dev-karpenter-node$/);
            assert.match(findings[0].why, /clusterName = "cip-dev" names Cluster "cip-dev-cluster-eks"/);
            assert.match(findings[0].source, /API_CreateAccessEntry/);
        });
        it("passes when the access entry takes the cluster name from the cluster (a property dependency)", () => {
            assert.deepEqual(run(existence, fixture("existence-access-entry-after-cluster.json")), []);
        });
        it("reads version 1 plans (no identifiers, no property dependencies): the cluster's name input still names it", () => {
            const v2 = fixture("existence-access-entry-before-cluster.json");
            const v1 = {
                ...v2,
                version: 1 as const,
                resources: v2.resources.map(({ identifiers: _i, propertyDependencies: _p, remote: _r, ...rest }) => rest),
            };
            assert.equal(run(existence, v1).length, 1);
        });
        it("fails a trust-policy principal that nothing creates and no referenced stack holds; passes once a referenced stack holds it", () => {
            const trust = JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/cip-dev-ghost" }, Action: "sts:AssumeRole" },
                ],
            });
            const role = res("aws:iam/role:Role", "r", { assumeRolePolicy: trust });
            const findings = run(existence, planOf([role]));
            assert.equal(findings.length, 1);
            assert.match(findings[0].why, /names nothing this stack creates/);
            assert.match(findings[0].source, /API_CreateRole/);
            const ghost = res(
                "aws:iam/role:Role",
                "cip-dev-ghost",
                { name: "cip-dev-ghost" },
                { identifiers: { arn: "arn:aws:iam::123456789012:role/cip-dev-ghost", name: "cip-dev-ghost" } },
            );
            const withRef = planOf([role], {
                stackReferences: [
                    {
                        urn: urnOf("pulumi:pulumi:StackReference", "f"),
                        name: "organization/f/account",
                        outputs: {},
                        backend: null,
                        resources: [ghost],
                    },
                ],
            });
            assert.deepEqual(run(existence, withRef), []);
        });
        it("ignores resources named only in identity policies (IAM accepts them before they exist) and tag values", () => {
            const queue = res(
                "aws:sqs/queue:Queue",
                "q",
                { name: "cip-dev-queue" },
                { identifiers: { arn: "arn:aws:sqs:eu-west-1:123456789012:cip-dev-queue", name: "cip-dev-queue" } },
            );
            const policy = JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "arn:aws:sqs:eu-west-1:123456789012:cip-dev-queue" }],
            });
            const rolePolicy = res("aws:iam/rolePolicy:RolePolicy", "p", { policy, role: "x-role", tags: { q: "cip-dev-queue" } });
            assert.deepEqual(run(existence, planOf([queue, rolePolicy])), []);
        });
    });

    describe("AWS quotas and formats (policypack/lib/aws-quotas.ts)", () => {
        it("fails #21 item 1 (main before the fix, a6d3511): the dev deploy role's six inline policies total 19,410 > 10,240 characters; each put past the quota is LimitExceeded", () => {
            const findings = run(awsQuotas, fixture("aws-quotas-deploy-role-inline-over.json"));
            assert.ok(findings.length >= 1);
            assert.ok(findings.every((f) => /rolePolicy:RolePolicy::cip-deployer-deploy-dev-/.test(f.urn)));
            assert.match(findings[0].why, /total 19410 characters .* over the aggregate quota of 10240/);
            assert.match(findings[0].source, /reference_iam-quotas/);
        });
        it("passes the same role with inline policies within the aggregate", () => {
            assert.deepEqual(run(awsQuotas, fixture("aws-quotas-deploy-role-inline-within.json")), []);
        });
        it("fails a managed policy over 6,144 and a trust policy over 2,048 characters (without white space); passes them at the limit", () => {
            const doc = (n: number) => {
                const base = JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "" }],
                }).length;
                return JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "x".repeat(n - base) }],
                });
            };
            const over = planOf([
                res("aws:iam/policy:Policy", "big", { policy: doc(IAM_POLICY_SIZE.managedPolicy + 1) }),
                res("aws:iam/role:Role", "r", { assumeRolePolicy: doc(IAM_POLICY_SIZE.roleTrustPolicy + 1) }),
            ]);
            assert.equal(run(awsQuotas, over).length, 2);
            const at = planOf([
                res("aws:iam/policy:Policy", "big", { policy: doc(IAM_POLICY_SIZE.managedPolicy) }),
                res("aws:iam/role:Role", "r", { assumeRolePolicy: doc(IAM_POLICY_SIZE.roleTrustPolicy) }),
            ]);
            assert.deepEqual(run(awsQuotas, at), []);
        });
        it("fails names, paths and tags AWS rejects (role name > 64, namePrefix > 38, bad path, 51 tags, aws: prefix, S3/SQS/EKS names)", () => {
            const tags51 = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
            const bad = planOf([
                res("aws:iam/role:Role", "long", { name: "r".repeat(65) }),
                res("aws:iam/role:Role", "prefix", { namePrefix: "p".repeat(39) }),
                res("aws:iam/instanceProfile:InstanceProfile", "path", { path: "karpenter/no-slashes" }),
                res("aws:sqs/queue:Queue", "tags", { tags: tags51 }),
                res("aws:kms/key:Key", "reserved", { tags: { "aws:owner": "me" } }),
                res("aws:s3/bucket:Bucket", "bucket", { bucket: "Has_Upper" }),
                res("aws:sqs/queue:Queue", "queue", { name: "q".repeat(81) }),
                res("eks:index:Cluster", "cluster", { name: "-starts-with-dash" }, { custom: false, remote: true }),
            ]);
            const findings = run(awsQuotas, bad);
            assert.deepEqual([...new Set(findings.map((f) => f.urn.split("::").pop()))].sort(), [
                "bucket",
                "cluster",
                "long",
                "path",
                "prefix",
                "queue",
                "reserved",
                "tags",
            ]);
            const good = planOf([
                res("aws:iam/role:Role", "ok", { name: "r".repeat(64), path: "/karpenter/eu-west-1/cip-dev/" }),
                res("aws:iam/role:Role", "prefix", { namePrefix: "p".repeat(38) }),
                res("aws:sqs/queue:Queue", "tags", {
                    name: "cip-dev-karpenter",
                    tags: Object.fromEntries(Object.entries(tags51).slice(0, 50)),
                }),
                res("aws:s3/bucket:Bucket", "bucket", { bucket: "cip-dev-dr-0123" }),
                res("eks:index:Cluster", "cluster", { name: "cip-dev" }, { custom: false, remote: true }),
            ]);
            assert.deepEqual(run(awsQuotas, good), []);
        });
        it("fails a KMS key policy over 32 KB and a security group with 61 inbound rules", () => {
            const keyPolicy = JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "x".repeat(33_000), Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }],
            });
            const rules = Array.from({ length: 61 }, (_, i) =>
                res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `rule-${i}`, {
                    securityGroupId: "sg-0123456789abcdef0",
                    cidrIpv4: `10.0.${i}.0/24`,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                }),
            );
            const findings = run(awsQuotas, planOf([res("aws:kms/key:Key", "k", { policy: keyPolicy }), ...rules]));
            assert.equal(findings.filter((f) => /KMS/.test(f.why)).length, 1);
            assert.equal(findings.filter((f) => /security group sg-0123456789abcdef0 would hold 61 ingress rules/.test(f.why)).length, 1);
            assert.deepEqual(run(awsQuotas, planOf(rules.slice(0, 60))), []);
        });
    });

    describe("Kubernetes admission at apply time", () => {
        it("fails #22 item 8 (main before the fix, a6d3511): cert-manager's Services race aws-load-balancer-controller 3.5.0's Service webhook (failurePolicy Fail, upstream issue #4140)", () => {
            const findings = run(kubernetesAdmission, fixture("kubernetes-admission-webhook-race.json"));
            assert.equal(findings.length, 1, JSON.stringify(findings, null, 1));
            assert.match(findings[0].urn, /Release::cip-dev-pki-cert-manager$/);
            assert.match(findings[0].why, /mservice\.elbv2\.k8s\.aws/);
            assert.match(findings[0].source, /aws-load-balancer-controller .*v3\.5\.0.*#4140/);
        });
        it("passes when the release depends on the controller's release, which waits for its pods", () => {
            assert.deepEqual(run(kubernetesAdmission, fixture("kubernetes-admission-webhook-after-release.json")), []);
        });
        it("a webhook release that does not wait for its pods (skipAwait without atomic) does not make its dependents safe", () => {
            const plan = fixture("kubernetes-admission-webhook-after-release.json");
            const release = (inputs: Record<string, unknown>) => ({
                ...plan,
                resources: plan.resources.map((r) =>
                    r.name === "cip-dev-ingress-controller" ? { ...r, inputs: { ...r.inputs, ...inputs } } : r,
                ),
            });
            assert.equal(run(kubernetesAdmission, release({ skipAwait: true, atomic: false })).length, 1);
            // "skipAwait will be disabled automatically if atomic is used" (@pulumi/kubernetes 4.34.2 helm/v3/release.d.ts ReleaseArgs.atomic).
            assert.deepEqual(run(kubernetesAdmission, release({ skipAwait: true, atomic: true })), []);
        });
        it("fails a custom resource before its CRD and an object before its namespace; passes with the dependencies", () => {
            const crds = res("kubernetes:helm.sh/v3:Release", "karpenter-crds", {
                chart: "oci://public.ecr.aws/karpenter/karpenter-crd",
                version: "1.14.1",
                namespace: "kube-system",
            });
            const ns = res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "jenkins" } });
            const pool = (deps: string[]) =>
                res("kubernetes:karpenter.sh/v1:NodePool", "pool", { metadata: { name: "general" } }, { dependsOn: deps });
            const sa = (deps: string[]) =>
                res(
                    "kubernetes:core/v1:ServiceAccount",
                    "sa",
                    { metadata: { name: "jenkins", namespace: "jenkins" } },
                    { dependsOn: deps },
                );
            const racing = run(kubernetesAdmission, planOf([crds, ns, pool([]), sa([])]));
            assert.deepEqual(racing.map((f) => f.urn.split("::").pop()).sort(), ["pool", "sa"]);
            assert.match(racing.find((f) => f.urn.endsWith("pool"))?.why ?? "", /before its CRD/);
            assert.deepEqual(run(kubernetesAdmission, planOf([crds, ns, pool([crds.urn]), sa([ns.urn])])), []);
            const nowhere = run(kubernetesAdmission, planOf([pool([])]));
            assert.match(nowhere[0].why, /no CRD of group karpenter\.sh/);
        });
        it("Kyverno 3.9.0 and kyverno-notation-aws 1.1 install their CRDs by default (crds.install: true); not with crds.install false", () => {
            const kyverno = (values: Record<string, unknown> = {}) =>
                res("kubernetes:helm.sh/v3:Release", "kyverno", { chart: "kyverno", version: "3.9.0", namespace: "kube-system", values });
            const verifier = res("kubernetes:helm.sh/v3:Release", "verifier", {
                chart: "kyverno-notation-aws",
                version: "1.1.0",
                namespace: "kube-system",
            });
            const policy = (deps: string[]) =>
                res("kubernetes:kyverno.io/v1:ClusterPolicy", "policy", { metadata: { name: "p" } }, { dependsOn: deps });
            const store = (deps: string[]) =>
                res("kubernetes:notation.nirmata.io/v1alpha1:TrustStore", "store", { metadata: { name: "s" } }, { dependsOn: deps });
            const k = kyverno();
            assert.deepEqual(run(kubernetesAdmission, planOf([k, verifier, policy([k.urn]), store([verifier.urn])])), []);
            // The CRD findings (the racing policy also meets Kyverno's policy webhooks: test/tools/rehearse/checks/kubernetes-admission.test.ts).
            const racing = run(kubernetesAdmission, planOf([k, verifier, policy([]), store([])])).filter((f) => /its CRD/.test(f.why));
            assert.deepEqual(racing.map((f) => f.urn.split("::").pop()).sort(), ["policy", "store"]);
            const off = kyverno({ crds: { install: false } });
            assert.match(run(kubernetesAdmission, planOf([off, policy([off.urn])]))[0].why, /no CRD of group kyverno\.io/);
        });
        it("fails a declared pod that its namespace's Pod Security level rejects; passes a compliant one", () => {
            const ns = res("kubernetes:core/v1:Namespace", "ns", {
                metadata: { name: "ci", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
            });
            const job = (securityContext: Record<string, unknown>) =>
                res(
                    "kubernetes:batch/v1:CronJob",
                    "job",
                    {
                        metadata: { name: "j", namespace: "ci" },
                        spec: {
                            schedule: "@daily",
                            jobTemplate: {
                                spec: { template: { spec: { containers: [{ name: "c", image: "busybox", securityContext }] } } },
                            },
                        },
                    },
                    { dependsOn: [ns.urn] },
                );
            const bad = run(kubernetesAdmission, planOf([ns, job({ privileged: true })]));
            assert.equal(bad.length, 1);
            assert.match(bad[0].why, /"restricted" Pod Security level/);
            const ok = {
                allowPrivilegeEscalation: false,
                runAsNonRoot: true,
                seccompProfile: { type: "RuntimeDefault" },
                capabilities: { drop: ["ALL"] },
            };
            assert.deepEqual(run(kubernetesAdmission, planOf([ns, job(ok)])), []);
        });
        it("pluralises kinds as the API serves them", () => {
            assert.deepEqual(["Service", "Ingress", "StorageClass", "NetworkPolicy"].map(pluralOf), [
                "services",
                "ingresses",
                "storageclasses",
                "networkpolicies",
            ]);
        });
    });

    describe("references across projects and backends", () => {
        it("fails #21 item 2 (main before the fix, a6d3511): the foundation stack declares no backend, the platform stack lives in the bucket the foundation created (pulumi/pulumi#3395)", () => {
            const findings = run(stackReferences, fixture("stack-references-two-backends.json"));
            assert.equal(findings.length, 1);
            assert.match(findings[0].why, /declares no backend/);
            assert.match(findings[0].source, /pulumi\/pulumi#3395/);
        });
        it("tells the pre-fix foundation (no backend output) from the fixed one (stacks/foundation.ts publishes backend = stateUrl)", () => {
            const plan = fixture("stack-references-two-backends.json");
            const ref = plan.stackReferences?.[0];
            assert.ok(ref);
            assert.equal(ref.outputs.backend, undefined, "the fixture is the pre-fix shape");
            const backend = backendUrlIn(ref.outputs.login);
            assert.ok(backend);
            const fixed = { ...plan, stackReferences: [{ ...ref, outputs: { ...ref.outputs, backend } }] };
            const findings = run(stackReferences, fixed);
            assert.ok(
                findings.every((f) => !/declares no backend|but .* lives in/.test(f.why)),
                `one backend once the foundation publishes it: ${JSON.stringify(findings)}`,
            );
            // A foundation in another bucket is still told apart.
            const elsewhere = {
                ...plan,
                stackReferences: [{ ...ref, outputs: { ...ref.outputs, backend: "s3://another-bucket?region=eu-west-1" } }],
            };
            assert.match(run(stackReferences, elsewhere)[0]?.why ?? "", /lives in s3:\/\/another-bucket/);
        });
        it("fails when both live in one bucket but the roles that run the stack may read only their own project's objects", () => {
            const findings = run(stackReferences, fixture("stack-references-same-backend-no-read.json"));
            assert.equal(findings.length, 2, JSON.stringify(findings, null, 1));
            assert.ok(findings.every((f) => /may not s3:GetObject .*\/\.pulumi\/stacks\/ciplatform-foundation\/account\.json/.test(f.why)));
        });
        it("passes with one backend and a scoped read of the foundation's checkpoint (and its key, through S3) for both roles", () => {
            const plan = fixture("stack-references-same-backend-no-read.json");
            const ref = plan.stackReferences?.[0];
            assert.ok(ref);
            const bucket = String(ref.outputs.stateBucket);
            const key = ref.resources.find((r) => r.type.includes("bucketServerSideEncryption"));
            assert.ok(key, "the fixture keeps the bucket's encryption");
            const roles = ref.resources.filter((r) => r.type === "aws:iam/role:Role");
            const readFoundation = roles.map((role) =>
                res("aws:iam/rolePolicy:RolePolicy", `${role.name}-foundation-read`, {
                    role: role.identifiers?.name,
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: "s3:GetObject",
                                Resource: `arn:aws:s3:::${bucket}/.pulumi/stacks/ciplatform-foundation/account.json`,
                            },
                        ],
                    }),
                }),
            );
            const fixed = { ...plan, stackReferences: [{ ...ref, resources: [...ref.resources, ...readFoundation] }] };
            assert.deepEqual(run(stackReferences, fixed), []);
        });
        it("finds the backend URL in the foundation's login command", () => {
            assert.equal(
                backendUrlIn("pulumi login 's3://bucket-1?region=eu-west-1&awssdk=v2'"),
                "s3://bucket-1?region=eu-west-1&awssdk=v2",
            );
            assert.equal(backendUrlIn("nothing here"), undefined);
        });
    });

    describe("the run: every check found, first failing step per resource", () => {
        it("loads every RehearsalCheck under tools/rehearse/checks/", async () => {
            const names = (await loadChecks()).map((c) => c.name);
            for (const name of ["existence", "aws-quotas", "kubernetes-admission", "stack-references", "scheduling"])
                assert.ok(names.includes(name), name);
        });
        it("reports one failure per resource (its first step) and keeps the rest as `also`", () => {
            const plan = fixture("aws-quotas-deploy-role-inline-over.json");
            const report = rehearse(plan, [awsQuotas, existence]);
            assert.equal(report.failures.length, new Set(report.findings.map((f) => f.urn)).size);
            assert.ok(report.failures.every((f, i, all) => i === 0 || all[i - 1].step <= f.step));
            assert.equal(
                Object.values(report.summary.byCheck).reduce((a, b) => a + b, 0),
                report.findings.length,
            );
            assert.ok(report.summary.byCheck["aws-quotas"] >= 1);
        });
        it("turns a check that throws into a finding, never a silent pass", () => {
            const broken: RehearsalCheck = {
                name: "broken",
                description: "throws",
                run: () => {
                    throw new Error("boom");
                },
            };
            const report = rehearse(fixture("existence-access-entry-after-cluster.json"), [broken]);
            assert.equal(report.failures.length, 1);
            assert.match(report.failures[0].why, /boom/);
        });
        it("refuses plan files it cannot read, naming the field", () => {
            assert.throws(
                () => validatePlan({ version: 3, project: "p", stack: "s", resources: [] }, "x.json"),
                /x\.json: "version" is 3; allowed: 1, 2/,
            );
            assert.throws(
                () => validatePlan({ version: 2, project: "p", stack: "s", resources: [{ urn: "u", type: "t", name: "n" }] }, "y.json"),
                /resources\[0\] \(n\): "dependsOn" must be an array/,
            );
        });
    });
});
