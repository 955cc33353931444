/**
 * The workload rules (policypack/workloads.ts) called directly: which namespace a workload lands in
 * (its own, its provider's default, or "default"), which level applies (the namespace's label, else
 * podSecurityDefaultLevel), which metadata carries the AppArmor annotations (a Pod's own, a
 * controller's pod template's), and the exact finding a workload owner reads.
 */
import { strict as assert } from "node:assert";
import type { PolicyResource } from "@pulumi/policy";
import { DEFAULT_CONFIG } from "../../policypack/config";
import { ENFORCE_LABEL, namespaceEnforceRule, namespaceLevels, workloadPodSecurityRule } from "../../policypack/workloads";

type Json = Record<string, unknown>;
const resource = (type: string, name: string, props: Json, provider?: Json): PolicyResource =>
    ({
        type,
        name,
        urn: `urn:pulumi:dev::p::${type}::${name}`,
        props,
        provider: provider === undefined ? undefined : { type: "pulumi:providers:kubernetes", name: "k", urn: "urn:k", props: provider },
        dependencies: [],
        propertyDependencies: {},
        isComponent: false,
        opts: {},
    }) as unknown as PolicyResource;
const namespace = (name: string | undefined, level: unknown): PolicyResource =>
    resource("kubernetes:core/v1:Namespace", `ns-${name ?? "unnamed"}`, { metadata: { name, labels: { [ENFORCE_LABEL]: level } } });
const privileged = { containers: [{ name: "a", securityContext: { privileged: true } }] };
/** Meets baseline, not restricted. */
const plain = { containers: [{ name: "a" }] };
const deployment = (name: string, metadata: Json, podSpec: Json, podMetadata: Json = {}, provider?: Json) =>
    resource("kubernetes:apps/v1:Deployment", name, { metadata, spec: { template: { metadata: podMetadata, spec: podSpec } } }, provider);
const messages = (resources: PolicyResource[], config = DEFAULT_CONFIG) =>
    workloadPodSecurityRule.check(resources, config, new Map()).map((f) => f.message);
const PRIVILEGED = 'privileged (containers "a" must not set securityContext.privileged=true)';

describe("workload rules by form (policypack/workloads.ts)", () => {
    it("judges a workload at its namespace's declared level, naming the namespace and the check", () => {
        assert.deepEqual(messages([namespace("team", "baseline"), deployment("web", { name: "web", namespace: "team" }, plain)]), []);
        assert.deepEqual(messages([namespace("team", "baseline"), deployment("web", { name: "web", namespace: "team" }, privileged)]), [
            `Deployment "team/web" violates Pod Security privileged (namespace "team" enforces "baseline"): ${PRIVILEGED}.`,
        ]);
        assert.deepEqual(messages([namespace("team", "privileged"), deployment("web", { namespace: "team" }, privileged)]), []);
    });

    it("falls back to podSecurityDefaultLevel for namespaces not declared (or declared without a name or a valid level)", () => {
        const undeclared = (ns: string, level: string) =>
            `namespace "${ns}" is not declared here, so "${level}" (podSecurityDefaultLevel) applies`;
        for (const declared of [[], [namespace(undefined, "privileged")], [namespace("team", "permissive")]]) {
            assert.deepEqual(
                messages([...declared, deployment("web", { namespace: "team" }, plain)], {
                    ...DEFAULT_CONFIG,
                    podSecurityDefaultLevel: "baseline",
                }),
                [],
            );
            const found = messages([...declared, deployment("web", { namespace: "team" }, plain)]);
            assert.equal(found.length, 4, found.join("\n"));
            assert.ok(
                found.every(
                    (m) =>
                        m.startsWith(`Deployment "team/web" violates Pod Security `) && m.includes(`(${undeclared("team", "restricted")})`),
                ),
                found.join("\n"),
            );
        }
        assert.deepEqual(
            [...namespaceLevels([namespace("a", "baseline"), namespace(undefined, "baseline"), namespace("b", "x")]).entries()],
            [["a", "baseline"]],
        );
    });

    it("places a workload in its own namespace, else its provider's default namespace, else default; names it by metadata.name, else its resource name", () => {
        const levels = [namespace("own", "privileged"), namespace("prov", "privileged"), namespace("default", "privileged")];
        // Each placement is privileged, so only a wrong placement (into the restricted fallback) reports.
        assert.deepEqual(messages([...levels, deployment("a", { namespace: "own" }, privileged, {}, { namespace: "prov" })]), []);
        assert.deepEqual(messages([...levels, deployment("b", { namespace: "" }, privileged, {}, { namespace: "prov" })]), []);
        assert.deepEqual(messages([...levels, deployment("c", {}, privileged, {}, { namespace: "" })]), []);
        assert.deepEqual(messages([...levels, deployment("d", {}, privileged)]), []);
        const where = messages([namespace("prov", "baseline"), deployment("res-name", {}, privileged, {}, { namespace: "prov" })]);
        assert.deepEqual(where, [
            `Deployment "prov/res-name" violates Pod Security privileged (namespace "prov" enforces "baseline"): ${PRIVILEGED}.`,
        ]);
    });

    it("takes levels from Namespaces only, and judges objects without metadata in the default namespace by their resource name", () => {
        // A labelled object of another kind named like the namespace grants nothing.
        const lookalike = resource("kubernetes:core/v1:ConfigMap", "cm", {
            metadata: { name: "team", labels: { [ENFORCE_LABEL]: "privileged" } },
        });
        assert.deepEqual([...namespaceLevels([lookalike]).entries()], []);
        assert.equal(messages([lookalike, deployment("web", { namespace: "team" }, privileged)]).length > 0, true);
        // Namespaces without metadata or labels declare no level; a Pod without metadata lands in "default".
        const bare = [
            resource("kubernetes:core/v1:Namespace", "n1", {}),
            resource("kubernetes:core/v1:Namespace", "n2", { metadata: { name: "x" } }),
        ];
        assert.deepEqual([...namespaceLevels(bare).entries()], []);
        const pod = resource("kubernetes:core/v1:Pod", "bare-pod", { spec: privileged });
        assert.deepEqual(messages([...bare, namespace("default", "baseline"), pod]), [
            `Pod "default/bare-pod" violates Pod Security privileged (namespace "default" enforces "baseline"): ${PRIVILEGED}.`,
        ]);
    });

    it("reads AppArmor annotations from a Pod's own metadata and from a controller's pod template", () => {
        const annotations = { "container.apparmor.security.beta.kubernetes.io/a": "unconfined" };
        const expected = (where: string) => [
            `${where} violates Pod Security appArmorProfile (namespace "team" enforces "baseline"): forbidden AppArmor profile (annotation container.apparmor.security.beta.kubernetes.io/a="unconfined").`,
        ];
        const ns = namespace("team", "baseline");
        const pod = resource("kubernetes:core/v1:Pod", "p", { metadata: { name: "p", namespace: "team", annotations }, spec: plain });
        assert.deepEqual(messages([ns, pod]), expected('Pod "team/p"'));
        assert.deepEqual(messages([ns, deployment("d", { name: "d", namespace: "team", annotations }, plain)]), []);
        assert.deepEqual(
            messages([ns, deployment("d", { name: "d", namespace: "team" }, plain, { annotations })]),
            expected('Deployment "team/d"'),
        );
    });

    it("checks every workload kind with a pod template, skips ones without, and reads only namespaces and workloads", () => {
        const ns = namespace("team", "baseline");
        const cron = resource("kubernetes:batch/v1:CronJob", "c", {
            metadata: { namespace: "team" },
            spec: { jobTemplate: { spec: { template: { spec: privileged } } } },
        });
        const job = resource("kubernetes:batch/v1:Job", "j", { metadata: { namespace: "team" }, spec: { template: { spec: privileged } } });
        const templated = (["StatefulSet", "DaemonSet", "ReplicaSet"] as const).map((kind) =>
            resource(`kubernetes:apps/v1:${kind}`, kind.toLowerCase(), {
                metadata: { namespace: "team" },
                spec: { template: { spec: privileged } },
            }),
        );
        const rc = resource("kubernetes:core/v1:ReplicationController", "rc", {
            metadata: { namespace: "team" },
            spec: { template: { spec: privileged } },
        });
        const noTemplate = resource("kubernetes:apps/v1:StatefulSet", "s", { metadata: { namespace: "team" }, spec: {} });
        const service = resource("kubernetes:core/v1:Service", "svc", {
            metadata: { namespace: "team" },
            spec: { template: { spec: privileged } },
        });
        assert.deepEqual(messages([ns, cron, job, ...templated, rc, noTemplate, service]), [
            `CronJob "team/c" violates Pod Security privileged (namespace "team" enforces "baseline"): ${PRIVILEGED}.`,
            `Job "team/j" violates Pod Security privileged (namespace "team" enforces "baseline"): ${PRIVILEGED}.`,
            `StatefulSet "team/statefulset" violates Pod Security privileged (namespace "team" enforces "baseline"): ${PRIVILEGED}.`,
            `DaemonSet "team/daemonset" violates Pod Security privileged (namespace "team" enforces "baseline"): ${PRIVILEGED}.`,
            `ReplicaSet "team/replicaset" violates Pod Security privileged (namespace "team" enforces "baseline"): ${PRIVILEGED}.`,
            `ReplicationController "team/rc" violates Pod Security privileged (namespace "team" enforces "baseline"): ${PRIVILEGED}.`,
        ]);
        const reads = workloadPodSecurityRule.reads;
        assert.deepEqual(
            ["kubernetes:core/v1:Namespace", "kubernetes:apps/v1:DaemonSet", "kubernetes:core/v1:Service", "toString"].map((t) =>
                typeof reads === "function" ? reads(t) : reads.includes(t),
            ),
            [true, true, false, false],
        );
    });

    it("kubernetes-namespace-require-pod-security: a missing label and a value that is no level, by metadata.name or resource name", () => {
        const check = (props: Json) =>
            namespaceEnforceRule.check(
                { type: "kubernetes:core/v1:Namespace", name: "res", urn: "u", props, stackTags: new Map() },
                DEFAULT_CONFIG,
            );
        assert.deepEqual(check({ metadata: { name: "team", labels: { [ENFORCE_LABEL]: "restricted" } } }), []);
        assert.deepEqual(check({ metadata: { name: "team" } }), [
            `Namespace "team" enforces no Pod Security level: label it ${ENFORCE_LABEL}=restricted (or baseline; privileged only with an exemption).`,
        ]);
        assert.deepEqual(check({}), [
            `Namespace "res" enforces no Pod Security level: label it ${ENFORCE_LABEL}=restricted (or baseline; privileged only with an exemption).`,
        ]);
        assert.deepEqual(check({ metadata: { labels: { [ENFORCE_LABEL]: "Restricted" } } }), [
            `Namespace "res" has ${ENFORCE_LABEL}="Restricted", not a level: use privileged, baseline or restricted.`,
        ]);
    });
});
