import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { linstorCluster } from "../../../../components/storage/objects";
import type { PlanFile, PlannedResource } from "../../../../tools/offline/plan";
import { plannedResource } from "../../../helpers/planned-resource";
import { shippedPlan } from "../../../helpers/shared-plans";
import { plannedPods, schedulingCheck, schedulingFindings } from "../../../../tools/rehearse/checks/scheduling";
import { plannedCapacity } from "../../../../tools/rehearse/scheduling/capacity";
import { coalesce, chartModel } from "../../../../tools/rehearse/scheduling/charts";
import { admissionProblems, tolerates } from "../../../../tools/rehearse/scheduling/placement";
import { rehearsalContext } from "../../../../tools/rehearse/order";

const FIXTURE = path.join(__dirname, "..", "..", "..", "fixtures", "rehearse", "dev-before-linstor-tolerations.json");
const fixture = (): PlanFile => JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as PlanFile;

let n = 0;
const resource = (type: string, inputs: Record<string, unknown>, name = `r${++n}`): PlannedResource => plannedResource(type, name, inputs);

const systemGroup = (): PlannedResource =>
    resource(
        "aws:eks/nodeGroup:NodeGroup",
        {
            amiType: "AL2023_ARM_64_STANDARD",
            instanceTypes: ["t4g.medium"],
            labels: { "ciplatform.io/pool": "system" },
            taints: [{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }],
        },
        "system",
    );
const generalPool = (arch: string): PlannedResource =>
    resource(
        "kubernetes:karpenter.sh/v1:NodePool",
        {
            metadata: { name: `general-${arch}` },
            spec: {
                template: {
                    metadata: { labels: { "ciplatform.io/pool": "general" } },
                    spec: { requirements: [{ key: "kubernetes.io/arch", operator: "In", values: [arch] }], taints: [] },
                },
            },
        },
        `general-${arch}`,
    );
const namespace = (name: string, level: string): PlannedResource =>
    resource("kubernetes:core/v1:Namespace", { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level } } }, `ns-${name}`);
const deployment = (ns: string, spec: Record<string, unknown>): PlannedResource =>
    resource("kubernetes:apps/v1:Deployment", { metadata: { name: "app", namespace: ns }, spec: { template: { spec } } }, "app");
/** A rehearsal context over resources (a version 1 plan), in engine order. */
const contextOf = (resources: PlannedResource[]) =>
    rehearsalContext({ version: 1, project: "ciplatform", stack: "test", resources } as unknown as PlanFile);
/** Placement and Pod Security only: these resources carry no dependencies, so the create-order judgment is tested on its own below. */
const run = (resources: PlannedResource[]): string[] => {
    const context = contextOf(resources);
    return schedulingFindings(resources, (urn) => context.stepOf.get(urn)?.index ?? 0).map((f) => f.why);
};

describe("rehearsal check: scheduling (every pod has a place)", () => {
    describe("over the dev and prod plans", () => {
        const plans = new Map<string, PlanFile>();
        before(async function () {
            this.timeout(600_000);
            for (const stack of ["dev", "prod"] as const) plans.set(stack, await shippedPlan(stack));
        });
        for (const stack of ["dev", "prod"]) {
            it(`${stack}: every planned pod (project, charts, chart software, piraeus operator) is admitted by planned capacity and Pod Security`, () => {
                const plan = plans.get(stack);
                assert.ok(plan);
                const { pods, unmodelled } = plannedPods(plan.resources);
                assert.deepEqual(unmodelled, []);
                // The operator's pods and Karpenter's own are among them, so the check looks where the defect was.
                const names = pods.map((p) => p.name);
                for (const expected of [
                    "linstor-controller",
                    "linstor-csi-controller",
                    "linstor-csi-node",
                    "ha-controller",
                    "linstor-satellite",
                    "controller of release",
                ]) {
                    assert.ok(
                        names.some((x) => x.includes(expected)),
                        `${expected} not modelled: ${names.join(", ")}`,
                    );
                }
                assert.deepEqual(schedulingCheck.run(rehearsalContext(plan)), []);
            });
        }
    });

    describe("over the dev plan before the fix (reconstructed fixture)", () => {
        it("fails on LINSTOR's control plane: the nodeSelector the operator patches into every component leads to tainted storage nodes (piraeus-operator linstorcluster_controller.go)", () => {
            const context = rehearsalContext(fixture());
            const findings = schedulingFindings(context.plan.resources, (urn) => context.stepOf.get(urn)?.index ?? 0);
            const whats = findings.map((f) => f.why.split(" in piraeus-datastore")[0]);
            assert.deepEqual([...new Set(whats)].sort(), [
                "DaemonSet ha-controller (piraeus operator)",
                "DaemonSet linstor-csi-node (piraeus operator)",
                "Deployment linstor-controller (piraeus operator)",
                "Deployment linstor-csi-controller (piraeus operator)",
            ]);
            assert.ok(findings.every((f) => f.check === "scheduling" && f.step > 0 && /piraeus-operator v2\.8\.1/.test(f.source)));
            assert.ok(findings.some((f) => /untolerated taint ciplatform\.io\/storage=true:NoSchedule/.test(f.why)));
        });

        it("passes on the same fixture with the project's LinstorCluster (components/storage/objects.ts linstorCluster)", () => {
            const plan = fixture();
            const resources = plan.resources.map((r) =>
                r.type === "kubernetes:piraeus.io/v1:LinstorCluster"
                    ? { ...r, inputs: { ...r.inputs, spec: linstorCluster("linstor-passphrase").spec } }
                    : r,
            );
            assert.deepEqual(run(resources), []);
        });

        it("fails when the piraeus operator is pinned where the model does not reach (v2.9 adds spec.tolerations)", () => {
            const resources = fixture().resources.map((r) =>
                r.type === "kubernetes:helm.sh/v3:Release" && String(r.inputs.chart).endsWith("/piraeus")
                    ? { ...r, inputs: { ...r.inputs, version: "2.9.0" } }
                    : r,
            );
            assert.ok(run(resources).some((w) => /no model of the pods the piraeus operator 2\.9\.0 creates/.test(w)));
        });
    });

    describe("the scheduler's rules", () => {
        it("tolerations: Exists with an empty key tolerates everything; Equal needs key and value; the effect must match when given", () => {
            const taint = { key: "a", value: "1", effect: "NoSchedule" };
            assert.equal(tolerates({ operator: "Exists" }, taint), true);
            assert.equal(tolerates({ key: "a", operator: "Exists" }, taint), true);
            assert.equal(tolerates({ key: "a", value: "1" }, taint), true);
            assert.equal(tolerates({ key: "a", value: "2" }, taint), false);
            assert.equal(tolerates({ key: "a", value: "1", effect: "NoExecute" }, taint), false);
        });

        it("a pod on the CriticalAddonsOnly system group must tolerate it and select its pool", () => {
            const capacity = plannedCapacity([systemGroup()]);
            assert.deepEqual(admissionProblems({ nodeSelector: { "ciplatform.io/pool": "system" }, tolerations: [] }, capacity[0]), [
                "untolerated taint CriticalAddonsOnly=true:NoSchedule",
            ]);
            assert.deepEqual(
                admissionProblems(
                    { nodeSelector: { "ciplatform.io/pool": "system" }, tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }] },
                    capacity[0],
                ),
                [],
            );
        });

        it("architecture: an amd64-only pod has no place when all capacity is Graviton", () => {
            const findings = run([
                systemGroup(),
                generalPool("arm64"),
                namespace("apps", "privileged"),
                deployment("apps", { nodeSelector: { "kubernetes.io/arch": "amd64" } }),
            ]);
            assert.equal(findings.length, 1);
            assert.match(
                findings[0],
                /Deployment app in apps stays Pending: .*NodePool general-arm64: nodeSelector kubernetes\.io\/arch=amd64/,
            );
            assert.deepEqual(
                run([
                    systemGroup(),
                    generalPool("amd64"),
                    namespace("apps", "privileged"),
                    deployment("apps", { nodeSelector: { "kubernetes.io/arch": "amd64" } }),
                ]),
                [],
            );
        });

        it("Karpenter's chart keeps it off Karpenter's own nodes (karpenter chart 1.14.1 values.yaml affinity karpenter.sh/nodepool DoesNotExist)", () => {
            const release = resource("kubernetes:helm.sh/v3:Release", {
                chart: "oci://public.ecr.aws/karpenter/karpenter",
                version: "1.14.1",
                namespace: "kube-system",
                values: { nodeSelector: { "ciplatform.io/pool": "general" } },
            });
            const findings = run([generalPool("arm64"), release]);
            assert.equal(findings.length, 1);
            assert.match(findings[0], /NodePool general-arm64: required node affinity karpenter\.sh\/nodepool DoesNotExist/);
        });

        it("a DaemonSet must fit every node kind its selector means it for", () => {
            const ds = resource(
                "kubernetes:apps/v1:DaemonSet",
                {
                    metadata: { name: "agent", namespace: "apps" },
                    spec: { template: { spec: { nodeSelector: { "ciplatform.io/pool": "system" } } } },
                },
                "agent",
            );
            const findings = run([systemGroup(), namespace("apps", "privileged"), ds]);
            assert.equal(findings.length, 1);
            assert.match(
                findings[0],
                /DaemonSet agent in apps: selects node group system but does not tolerate its taint CriticalAddonsOnly=true:NoSchedule/,
            );
        });

        it("Pod Security: a privileged pod in a restricted namespace is rejected even where capacity admits it (policypack/lib/pod-security.ts)", () => {
            const findings = run([
                generalPool("arm64"),
                namespace("apps", "restricted"),
                deployment("apps", { containers: [{ name: "c", securityContext: { privileged: true } }] }),
            ]);
            assert.ok(findings.length > 0);
            assert.ok(findings.every((w) => /Pod Security "restricted" rejects it/.test(w)));
            assert.ok(findings.some((w) => /privileged/.test(w)));
        });

        it("chart values coalesce over the chart's defaults as Helm does: maps merge, lists replace (cert-manager v1.21.1 nodeSelector kubernetes.io/os)", () => {
            const found = chartModel("cert-manager", "v1.21.1");
            assert.ok("model" in found);
            const values = coalesce(found.model.defaults, {
                nodeSelector: { "ciplatform.io/pool": "system" },
                tolerations: [{ key: "x", operator: "Exists" }],
            });
            const placement = found.model.workloads[0].placement(values);
            assert.deepEqual(placement.nodeSelector, { "kubernetes.io/os": "linux", "ciplatform.io/pool": "system" });
            assert.deepEqual(placement.tolerations, [{ key: "x", operator: "Exists" }]);
        });

        it("Falco 9.1.0 is a DaemonSet (templates/daemonset.yaml, templates/pod-template.tpl): with the chart's control-plane-only tolerations it misses the tainted system group; tolerating it fits every node kind", () => {
            const falco = (values: Record<string, unknown>): PlannedResource =>
                resource("kubernetes:helm.sh/v3:Release", { chart: "falco", version: "9.1.0", namespace: "falco", values }, "falco");
            const before = run([systemGroup(), generalPool("arm64"), namespace("falco", "privileged"), falco({})]);
            assert.equal(before.length, 1, before.join("\n"));
            assert.match(before[0], /DaemonSet daemonset of release falco.*does not tolerate its taint CriticalAddonsOnly=true:NoSchedule/);
            const after = run([
                systemGroup(),
                generalPool("arm64"),
                namespace("falco", "privileged"),
                falco({ tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }] }),
            ]);
            assert.deepEqual(after, []);
        });

        it("Kyverno 3.9.0: a controller's nodeSelector replaces global.nodeSelector (`<c>.nodeSelector | default .Values.global.nodeSelector`, templates/admission-controller/deployment.yaml), disabled controllers render nothing", () => {
            const found = chartModel("kyverno", "3.9.0");
            assert.ok("model" in found);
            const values = coalesce(found.model.defaults, {
                admissionController: { nodeSelector: { "ciplatform.io/pool": "system" } },
                cleanupController: { enabled: false },
                crds: { migration: { enabled: false } },
                webhooksCleanup: { enabled: false },
            });
            const rendered = found.model.workloads.filter((w) => w.enabled?.(values) ?? true);
            assert.deepEqual(
                rendered.map((w) => w.suffix),
                ["-admission-controller", "-background-controller", "-reports-controller"],
            );
            assert.deepEqual(rendered[0].placement(values).nodeSelector, { "ciplatform.io/pool": "system" });
            assert.deepEqual(rendered[1].placement(values).nodeSelector, { "kubernetes.io/os": "linux" });
        });

        it("every chart of the supply-chain and findings work has a model at its pinned version (kyverno 3.9.0, kyverno-notation-aws 1.1.0, falco 9.1.0, falcosidekick 0.14.0, policy-reporter 3.9.1)", () => {
            for (const [chart, version] of [
                ["kyverno", "3.9.0"],
                ["kyverno-notation-aws", "1.1.0"],
                ["falco", "9.1.0"],
                ["falcosidekick", "0.14.0"],
                ["policy-reporter", "3.9.1"],
            ])
                assert.ok("model" in chartModel(chart, version), `${chart} ${version}`);
            // Falcosidekick's UI and its Redis (templates/deployment-ui.yaml) render only with webui.enabled.
            const sidekick = chartModel("falcosidekick", "0.14.0");
            assert.ok("model" in sidekick);
            const on = coalesce(sidekick.model.defaults, {
                webui: { enabled: true, redis: { tolerations: [{ key: "x", operator: "Exists" }] } },
            });
            assert.deepEqual(
                sidekick.model.workloads.filter((w) => w.enabled?.(sidekick.model.defaults) ?? true).map((w) => w.id),
                ["falcosidekick"],
            );
            const redis = sidekick.model.workloads.find((w) => w.id === "ui-redis");
            assert.ok(redis);
            assert.ok(redis.enabled?.(on));
            assert.deepEqual(redis.placement(on).tolerations, [{ key: "x", operator: "Exists" }]);
        });

        it("a chart without a model at its pinned version is a finding, not a pass", () => {
            const release = resource("kubernetes:helm.sh/v3:Release", {
                chart: "cert-manager",
                version: "v1.22.0",
                namespace: "cert-manager",
                values: {},
            });
            assert.match(run([generalPool("arm64"), release])[0], /no placement model of chart cert-manager at v1\.22\.0/);
        });

        it("GitLab job pods land where config.toml's node_selector and node_tolerations say (gitlab-runner executors/kubernetes)", () => {
            const release = (toleration: string): PlannedResource =>
                resource("kubernetes:helm.sh/v3:Release", {
                    chart: "gitlab-runner",
                    version: "0.93.0",
                    namespace: "runner",
                    values: {
                        runners: {
                            config: `[[runners]]\nexecutor = "kubernetes"\n[runners.kubernetes]\nnamespace = "runner"\n[runners.kubernetes.node_selector]\n"ciplatform.io/pool" = "ci"\n[runners.kubernetes.node_tolerations]\n"${toleration}" = "NoSchedule"\n`,
                        },
                    },
                });
            const ci = resource("kubernetes:karpenter.sh/v1:NodePool", {
                metadata: { name: "ci" },
                spec: {
                    template: {
                        metadata: { labels: { "ciplatform.io/pool": "ci" } },
                        spec: { taints: [{ key: "ciplatform.io/ci", value: "true", effect: "NoSchedule" }] },
                    },
                },
            });
            assert.deepEqual(run([generalPool("arm64"), ci, release("ciplatform.io/ci=true")]), []);
            assert.match(
                run([generalPool("arm64"), ci, release("ciplatform.io/other=true")]).join("\n"),
                /job pod of runners\[0\] \(config\.toml\).*stays Pending/,
            );
        });
    });
    describe("create order: a create that waits for its pods depends on capacity that admits them (helm --wait, @pulumi/kubernetes 4.34.2 ReleaseArgs.skipAwait)", () => {
        const ORDER = path.join(__dirname, "..", "..", "..", "fixtures", "rehearse");
        const plan = (name: string): PlanFile => JSON.parse(fs.readFileSync(path.join(ORDER, name), "utf8")) as PlanFile;
        const waits = (findings: ReturnType<typeof schedulingCheck.run>) => findings.filter((f) => /when the release waits/.test(f.why));
        const withDeps = (r: PlannedResource, deps: PlannedResource[]): PlannedResource => ({ ...r, dependsOn: deps.map((d) => d.urn) });

        it("fails the dev plan of 401cc36^ (before 'releases wait for the system node group'): cert-manager's and Karpenter's releases do not depend on the system node group", () => {
            const context = rehearsalContext(plan("scheduling-release-before-capacity.json"));
            const findings = waits(schedulingCheck.run(context));
            assert.deepEqual([...new Set(findings.map((f) => f.urn.split("::").pop()))].sort(), [
                "cip-dev-karpenter-controller",
                "cip-dev-pki-cert-manager",
            ]);
            for (const f of findings) {
                assert.equal(f.step, context.stepOf.get(f.urn)?.index);
                assert.match(
                    f.why,
                    /^no node can admit (Deployment|Job) \S+ of release cip-dev-\S+ in \S+ when the release waits: .*node group cip-dev-cluster-system: no dependency on node group cip-dev-cluster-system/,
                );
                assert.match(
                    f.source,
                    /@pulumi\/kubernetes 4\.34\.2 helm\/v3\/release\.d\.ts ReleaseArgs\.skipAwait.*helm\/helm v3 pkg\/kube\/ready\.go/,
                );
            }
        });

        it("passes the same resources cut from main's dev plan (the releases depend on cluster.systemReady)", () => {
            assert.deepEqual(schedulingCheck.run(rehearsalContext(plan("scheduling-release-after-capacity.json"))), []);
        });

        const workload = (annotations: Record<string, string> = {}): PlannedResource =>
            resource(
                "kubernetes:apps/v1:Deployment",
                {
                    metadata: { name: "app", namespace: "default", annotations },
                    spec: {
                        template: { spec: { nodeSelector: { "ciplatform.io/pool": "general" }, containers: [{ name: "c", image: "i" }] } },
                    },
                },
                "waiting-app",
            );
        const karpenter = (): PlannedResource =>
            resource(
                "kubernetes:helm.sh/v3:Release",
                { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.14.1", namespace: "kube-system", values: {} },
                "karpenter",
            );
        const nodeClass = (): PlannedResource =>
            resource(
                "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
                { metadata: { name: "default" }, spec: { role: "karpenter-node" } },
                "nodeclass",
            );
        const accessEntry = (principalArn = "arn:aws:iam::111122223333:role/karpenter-node", type = "EC2_LINUX"): PlannedResource =>
            resource("aws:eks/accessEntry:AccessEntry", { clusterName: "c", principalArn, type }, "node-access");
        const pool = (): PlannedResource => {
            const p = generalPool("arm64");
            const spec = p.inputs.spec as { template: { spec: Record<string, unknown> } };
            spec.template.spec.nodeClassRef = { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" };
            return p;
        };

        it("a NodePool counts only with Karpenter's release, its EC2NodeClass and the node role's EC2_LINUX access entry: depending on the pool alone fails, on all four passes", () => {
            const system = systemGroup();
            const k = withDeps(karpenter(), [system]);
            const [c, p, e] = [nodeClass(), pool(), accessEntry()];
            const poolOnly = waits(schedulingCheck.run(contextOf([system, k, c, p, e, withDeps(workload(), [p])])));
            assert.equal(poolOnly.length, 1, JSON.stringify(poolOnly));
            assert.match(poolOnly[0].why, /no node can admit Deployment app in default when the release waits/);
            assert.match(
                poolOnly[0].why,
                /NodePool general-arm64: no dependency on the Karpenter controller's release \(chart karpenter\), EC2NodeClass default, the node role's EKS access entry \(type EC2_LINUX for karpenter-node\)/,
            );
            assert.deepEqual(waits(schedulingCheck.run(contextOf([system, k, c, p, e, withDeps(workload(), [p, k, c, e])]))), []);
            // Transitively is enough: a dependency on something that depends on all four.
            const gate = withDeps(resource("kubernetes:core/v1:ConfigMap", { metadata: { name: "gate", namespace: "default" } }, "gate"), [
                p,
                k,
                c,
                e,
            ]);
            assert.deepEqual(waits(schedulingCheck.run(contextOf([system, k, c, p, e, gate, withDeps(workload(), [gate])]))), []);
        });

        it("EKS access entries (creating-access-entries, CreateAccessEntry type EC2_LINUX): a release on Karpenter capacity that reaches pool, release and node class but not the node role's access entry fails; with it, passes", () => {
            const system = systemGroup();
            const k = withDeps(karpenter(), [system]);
            const [c, p] = [nodeClass(), pool()];
            const noEntryDep = (entry: PlannedResource[]) =>
                waits(schedulingCheck.run(contextOf([system, k, c, p, ...entry, withDeps(workload(), [p, k, c])])));
            for (const entries of [
                [accessEntry()], // planned, but not depended on
                [], // not planned at all
                [accessEntry("arn:aws:iam::111122223333:role/karpenter-node", "STANDARD")], // the wrong type: nodes are not authorised as nodes
                [accessEntry("arn:aws:iam::111122223333:role/some-other-role")], // another role's entry
            ]) {
                const found = noEntryDep(entries);
                assert.equal(found.length, 1, JSON.stringify(found));
                assert.match(
                    found[0].why,
                    /NodePool general-arm64: no dependency on the node role's EKS access entry \(type EC2_LINUX for karpenter-node\)\)$/,
                );
            }
            for (const entry of [accessEntry(), accessEntry("04da6b54-80e4-46f7-96ec-b56ff0331ba9")]) {
                assert.deepEqual(
                    waits(schedulingCheck.run(contextOf([system, k, c, p, entry, withDeps(workload(), [p, k, c, entry])]))),
                    [],
                );
            }
            // Wrong-typed or another role's entries do not count even when depended on.
            const other = accessEntry("arn:aws:iam::111122223333:role/some-other-role");
            assert.equal(waits(schedulingCheck.run(contextOf([system, k, c, p, other, withDeps(workload(), [p, k, c, other])]))).length, 1);
        });

        it("what does not wait is not judged: pulumi.com/skipAwait on a workload, skipAwait on a release (unless atomic)", () => {
            const [system, c, p] = [systemGroup(), nodeClass(), pool()];
            assert.deepEqual(
                waits(
                    schedulingCheck.run(
                        contextOf([system, withDeps(karpenter(), [system]), c, p, workload({ "pulumi.com/skipAwait": "true" })]),
                    ),
                ),
                [],
            );
            const runner = (extra: Record<string, unknown>): PlannedResource =>
                resource(
                    "kubernetes:helm.sh/v3:Release",
                    {
                        chart: "gitlab-runner",
                        version: "0.93.0",
                        namespace: "default",
                        values: { nodeSelector: { "ciplatform.io/pool": "general" } },
                        ...extra,
                    },
                    "runner",
                );
            const base = [system, withDeps(karpenter(), [system]), c, p];
            assert.deepEqual(waits(schedulingCheck.run(contextOf([...base, runner({ skipAwait: true })]))), []);
            assert.equal(waits(schedulingCheck.run(contextOf([...base, runner({ skipAwait: true, atomic: true })]))).length, 1);
            assert.equal(waits(schedulingCheck.run(contextOf([...base, runner({})]))).length, 1);
        });

        it("the LinstorCluster with pulumi.com/waitFor waits for the operator's LINSTOR controller: it must depend on the storage node groups", () => {
            const fixtureResources = fixture().resources;
            const storageGroups = fixtureResources.filter((r) => /storage-nodes/.test(r.name));
            const cluster = (deps: PlannedResource[]): PlannedResource[] =>
                fixtureResources.map((r) =>
                    r.type === "kubernetes:piraeus.io/v1:LinstorCluster"
                        ? {
                              ...r,
                              dependsOn: deps.map((d) => d.urn),
                              inputs: {
                                  ...r.inputs,
                                  metadata: { name: "linstorcluster", annotations: { "pulumi.com/waitFor": "condition=Available" } },
                                  spec: linstorCluster("p").spec,
                              },
                          }
                        : r,
                );
            const linstor = (resources: PlannedResource[]) =>
                waits(schedulingCheck.run(contextOf(resources))).filter((f) => /linstor-controller/.test(f.why));
            const before = linstor(cluster([]));
            assert.equal(before.length, 1, JSON.stringify(before));
            assert.match(before[0].why, /LinstorCluster's pulumi\.com\/waitFor condition=Available/);
            assert.deepEqual(linstor(cluster(storageGroups)), []);
        });
    });
});
