/**
 * The create order of the first `up` (issue #22 items 2, 8, 9), read from the plan's dependency
 * edges: what names a resource by a value known before it exists also waits for it, and every
 * release whose pods must run waits for the capacity, DNS and webhooks they need.
 */
import { strict as assert } from "node:assert";
import { LINSTOR_AVAILABLE } from "../../components/storage/storage";
import { ofType, plan, PlanFile, PlannedResource, single } from "../helpers/mocks";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** Every URN a resource waits for, directly or through what it waits for (the engine's create order). */
function waitsFor(planned: PlanFile, resource: PlannedResource): Set<string> {
    const byUrn = new Map(planned.resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const visit = (urn: string): void => {
        const r = byUrn.get(urn);
        for (const dep of [...(r?.dependsOn ?? []), ...(r?.provider ? [r.provider] : [])]) {
            if (!seen.has(dep)) {
                seen.add(dep);
                visit(dep);
            }
        }
    };
    visit(resource.urn);
    return seen;
}

const waits = (planned: PlanFile, resource: PlannedResource, on: PlannedResource): boolean => waitsFor(planned, resource).has(on.urn);

for (const stack of ["dev", "prod"] as const) {
    describe(`create order of the ${stack} plan (issue #22 items 2, 8, 9)`, () => {
        let planned: PlanFile;
        before(async () => {
            planned = await plan({ stack });
        });

        it("Karpenter's node access entry names the cluster by its output, so it is created after the cluster (item 2)", () => {
            const entry = single(planned, "aws:eks/accessEntry:AccessEntry", "karpenter-node");
            const cluster = single(planned, "eks:index:Cluster");
            assert.ok(
                entry.dependsOn.includes(cluster.urn),
                `${entry.name} does not wait for ${cluster.name}: ${entry.dependsOn.join(", ")}`,
            );
        });

        // pulumi-eks registers the cluster as one (multi-language) component; its outputs carry its URN.
        it("every access entry, add-on and node group waits for the cluster it names", () => {
            const cluster = single(planned, "eks:index:Cluster");
            const naming = planned.resources.filter((r) =>
                ["aws:eks/accessEntry:AccessEntry", "aws:eks/addon:Addon", "aws:eks/nodeGroup:NodeGroup"].includes(r.type),
            );
            assert.ok(naming.length >= 6);
            assert.deepEqual(
                naming.filter((r) => !waits(planned, r, cluster)).map((r) => r.name),
                [],
            );
        });

        it("the releases of the system controllers wait for the system node group and CoreDNS (item 9)", () => {
            const nodeGroup = single(planned, "aws:eks/nodeGroup:NodeGroup", "-system");
            const coredns = single(planned, "aws:eks/addon:Addon", "coredns");
            const releases = ["karpenter-controller", "secrets-chart", "pki-cert-manager", "pki-issuer", "ingress-controller"].map((n) =>
                single(planned, RELEASE, n),
            );
            for (const release of releases) {
                assert.ok(release.dependsOn.includes(nodeGroup.urn), `${release.name} does not wait for the system node group`);
                assert.ok(release.dependsOn.includes(coredns.urn), `${release.name} does not wait for CoreDNS`);
            }
        });

        it("the Kubernetes provider waits for the rule admitting the deploy runners to the private endpoint (item 9)", () => {
            const provider = single(planned, "pulumi:providers:kubernetes", "cluster-k8s");
            const rules = ofType(planned, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
                r.name.includes("endpoint-from-runners"),
            );
            assert.ok(rules.length > 0);
            for (const rule of rules) {
                assert.ok(provider.dependsOn.includes(rule.urn), `the Kubernetes provider does not wait for ${rule.name}`);
            }
            // Every Kubernetes object is created through it, hence after the rule.
            const release = single(planned, RELEASE, "karpenter-crds");
            assert.ok(waits(planned, release, rules[0]));
        });

        it("no release installs the LB controller's Service webhook, which rejects Services while the controller is down (item 8, aws-load-balancer-controller chart 3.5.0 templates/webhook.yaml, issue #4140)", () => {
            const values = single(planned, RELEASE, "ingress-controller").inputs.values as Record<string, unknown>;
            assert.equal(values.enableServiceMutatorWebhook, false);
        });

        it("the default StorageClass exists before the LINSTOR operator registers its StorageClass webhook (piraeus chart templates/validating-webhook-configuration.yaml, failurePolicy Fail)", () => {
            const gp3 = single(planned, "kubernetes:storage.k8s.io/v1:StorageClass", "cluster-gp3");
            const operator = single(planned, RELEASE, "storage-operator");
            assert.ok(operator.dependsOn.includes(gp3.urn), "storage-operator does not wait for the default StorageClass");
        });

        it("the LINSTOR operator and Jenkins wait for Karpenter's NodePools, Jenkins for an available LINSTOR (item 9)", () => {
            const pools = ofType(planned, "kubernetes:karpenter.sh/v1:NodePool");
            assert.ok(pools.length >= 2);
            const operator = single(planned, RELEASE, "storage-operator");
            const jenkins = single(planned, RELEASE, "jenkins-chart");
            const linstor = single(planned, "kubernetes:piraeus.io/v1:LinstorCluster");
            for (const pool of pools) {
                assert.ok(operator.dependsOn.includes(pool.urn), `storage-operator does not wait for ${pool.name}`);
                assert.ok(jenkins.dependsOn.includes(pool.urn), `jenkins-chart does not wait for ${pool.name}`);
            }
            assert.ok(jenkins.dependsOn.includes(linstor.urn), "jenkins-chart does not wait for the LinstorCluster");
            const annotations = (linstor.inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {};
            assert.deepEqual(
                Object.fromEntries(Object.entries(annotations).filter(([k]) => k in LINSTOR_AVAILABLE)),
                { ...LINSTOR_AVAILABLE },
                "the LinstorCluster must count as created only once LINSTOR is Available (piraeus-operator docs/reference/linstorcluster.md)",
            );
        });
    });
}
