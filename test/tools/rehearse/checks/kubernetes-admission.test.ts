import { strict as assert } from "node:assert";
import type { PlanFile, PlannedResource } from "../../../../tools/offline/plan";
import { CHART_FACTS } from "../../../../tools/rehearse/charts";
import { kubernetesAdmission, kyvernoPolicyRules } from "../../../../tools/rehearse/checks/kubernetes-admission";
import { rehearsalContext } from "../../../../tools/rehearse/order";
import { plannedResource } from "../../../helpers/planned-resource";

let n = 0;
const res = (type: string, inputs: Record<string, unknown>, name = `r${++n}`, dependsOn: PlannedResource[] = []): PlannedResource =>
    plannedResource(type, name, inputs, { dependsOn: dependsOn.map((d) => d.urn) });
const RELEASE = "kubernetes:helm.sh/v3:Release";
const release = (
    chart: string,
    version: string,
    namespace: string,
    values: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
) => res(RELEASE, { chart, version, namespace, values, atomic: true, ...extra }, `${chart}-release`);
/** The webhook findings only (CRD and namespace findings are tested in test/tools/rehearse.test.ts). */
const webhookFindings = (resources: PlannedResource[]) =>
    kubernetesAdmission
        .run(rehearsalContext({ version: 1, project: "ciplatform", stack: "dev", resources } as unknown as PlanFile))
        .filter((f) => /has registered webhook/.test(f.why));
const object = (
    type: string,
    namespace: string | undefined,
    deps: PlannedResource[] = [],
    name?: string,
    spec: Record<string, unknown> = {},
) => res(type, { metadata: { name: name ?? "o", ...(namespace ? { namespace } : {}) }, spec }, name, deps);

describe("rehearsal check: kubernetes-admission, webhooks from the pinned charts' facts (tools/rehearse/charts.ts)", () => {
    const certManager = () => release("cert-manager", "v1.21.1", "cert-manager", { crds: { enabled: true } });
    const eso = () => release("external-secrets", "2.9.0", "external-secrets");
    const albc = (values: Record<string, unknown> = {}) => release("aws-load-balancer-controller", "3.5.0", "kube-system", values);

    describe("cert-manager v1.21.1 (webhook-validating-webhook.yaml: cert-manager.io and acme.cert-manager.io, failurePolicy Fail)", () => {
        for (const kind of ["Certificate", "Issuer", "ClusterIssuer"]) {
            it(`${kind}: created without depending on the cert-manager release fails; depending on it passes`, () => {
                const cm = certManager();
                const before = webhookFindings([
                    cm,
                    object(`kubernetes:cert-manager.io/v1:${kind}`, kind === "ClusterIssuer" ? undefined : "apps"),
                ]);
                assert.equal(before.length, 1, JSON.stringify(before));
                assert.match(
                    before[0].why,
                    new RegExp(`${kind} \\(cert-manager\\.io/${kind.toLowerCase()}s.*webhook\\.cert-manager\\.io \\(validating\\)`),
                );
                assert.match(
                    before[0].source,
                    /cert-manager\/cert-manager deploy\/charts\/cert-manager\/templates\/webhook-validating-webhook\.yaml/,
                );
                assert.deepEqual(webhookFindings([cm, object(`kubernetes:cert-manager.io/v1:${kind}`, "apps", [cm])]), []);
            });
        }
        it("charts that create Certificates with cert-manager support (LB controller enableCertManager) are intercepted too", () => {
            const cm = certManager();
            const withCerts = albc({ enableCertManager: true, enableServiceMutatorWebhook: false });
            const findings = webhookFindings([cm, withCerts]);
            assert.deepEqual([...new Set(findings.map((f) => f.why.split(" may be created")[0]))].sort(), [
                "its chart's certificates (templates/cert-manager.yaml) (cert-manager.io/certificates in kube-system)",
                "its chart's issuers (templates/cert-manager.yaml) (cert-manager.io/issuers in kube-system)",
            ]);
            assert.deepEqual(webhookFindings([cm, { ...withCerts, dependsOn: [cm.urn] }]), []);
            assert.deepEqual(webhookFindings([cm, albc({ enableServiceMutatorWebhook: false })]), []);
        });
    });

    describe("External Secrets 2.9.0 (validatingwebhook.yaml: ExternalSecret, SecretStore, ClusterSecretStore, webhook.failurePolicy Fail)", () => {
        for (const kind of ["ExternalSecret", "SecretStore", "ClusterSecretStore"]) {
            it(`${kind}: fails before the release is ready, passes after; webhook.failurePolicy Ignore lets it through`, () => {
                const e = eso();
                const type = `kubernetes:external-secrets.io/v1:${kind}`;
                assert.equal(webhookFindings([e, object(type, "apps")]).length, 1);
                assert.deepEqual(webhookFindings([e, object(type, "apps", [e])]), []);
                const ignore = release("external-secrets", "2.9.0", "external-secrets", { webhook: { failurePolicy: "Ignore" } });
                assert.deepEqual(webhookFindings([ignore, object(type, "apps")]), []);
            });
        }
    });

    describe("AWS Load Balancer Controller 3.5.0 (webhook.yaml)", () => {
        it("an Ingress and a TargetGroupBinding fail before the controller's release is ready, pass after", () => {
            const a = albc({ enableServiceMutatorWebhook: false });
            const ingress = object("kubernetes:networking.k8s.io/v1:Ingress", "apps", [], "ing");
            const tgb = object("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "apps", [], "tgb");
            assert.deepEqual(
                webhookFindings([a, ingress, tgb])
                    .map((f) => f.why.match(/webhook (\S+)/)?.[1])
                    .sort(),
                ["vingress.elbv2.k8s.aws", "vtargetgroupbinding.elbv2.k8s.aws"],
            );
            assert.deepEqual(webhookFindings([a, { ...ingress, dependsOn: [a.urn] }, { ...tgb, dependsOn: [a.urn] }]), []);
        });
        it("a chart's Ingress (Jenkins controller.ingress.enabled) is intercepted like the project's own", () => {
            const a = albc({ enableServiceMutatorWebhook: false });
            const jenkins = release("jenkins", "5.9.53", "jenkins", { controller: { ingress: { enabled: true } } });
            assert.ok(webhookFindings([a, jenkins]).some((f) => /jenkins-controller-ingress\.yaml.*vingress\.elbv2\.k8s\.aws/.test(f.why)));
            assert.deepEqual(webhookFindings([a, { ...jenkins, dependsOn: [a.urn] }]), []);
        });
        it("pods: only in namespaces labelled elbv2.k8s.aws/pod-readiness-gate-inject=enabled, and only with podMutatorWebhookConfig.failurePolicy Fail (default Ignore)", () => {
            const ns = (labels: Record<string, string>) =>
                res("kubernetes:core/v1:Namespace", { metadata: { name: "apps", labels } }, "ns");
            const deployment = (deps: PlannedResource[]) =>
                object("kubernetes:apps/v1:Deployment", "apps", deps, "web", {
                    template: { spec: { containers: [{ name: "c", image: "i" }] } },
                });
            const failing = albc({ enableServiceMutatorWebhook: false, podMutatorWebhookConfig: { failurePolicy: "Fail" } });
            const labelled = ns({ "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" });
            const found = webhookFindings([failing, labelled, deployment([labelled])]);
            assert.equal(found.length, 1, JSON.stringify(found));
            assert.match(found[0].why, /the pods of this Deployment \(core\/pods in apps\).*mpod\.elbv2\.k8s\.aws/);
            assert.deepEqual(webhookFindings([failing, labelled, deployment([labelled, failing])]), []);
            assert.deepEqual(webhookFindings([failing, ns({}), deployment([])]), []);
            assert.deepEqual(webhookFindings([albc({ enableServiceMutatorWebhook: false }), labelled, deployment([labelled])]), []);
        });
    });

    describe("Kyverno 3.9.0 (v1.19.0): the webhooks Kyverno registers at run time (policy webhooks on start, resource webhooks for the plan's policies)", () => {
        const kyverno = (extra: Record<string, unknown> = {}) => release("kyverno", "3.9.0", "kyverno", {}, extra);
        const policy = (deps: PlannedResource[], spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}) =>
            res(
                "kubernetes:kyverno.io/v1:ClusterPolicy",
                {
                    metadata: { name: "signed", annotations },
                    spec: { rules: [{ name: "r", match: { any: [{ resources: { kinds: ["Pod"] } }] } }], ...spec },
                },
                "policy",
                deps,
            );
        const workload = (namespace: string, deps: PlannedResource[] = []) =>
            object("kubernetes:apps/v1:Deployment", namespace, deps, `app-${namespace}`, {
                template: { spec: { containers: [{ name: "c", image: "i" }] } },
            });

        it("the kinds a policy matches, with Kyverno's autogen controllers for Pod rules (and none with autogen-controllers: none)", () => {
            const rules = (p: PlannedResource) => kyvernoPolicyRules(p).map((r) => `${r.group}/${r.resource}`);
            assert.deepEqual(rules(policy([])), [
                "/pods",
                "apps/deployments",
                "apps/statefulsets",
                "apps/daemonsets",
                "apps/replicasets",
                "batch/jobs",
                "batch/cronjobs",
            ]);
            assert.deepEqual(rules(policy([], {}, { "pod-policies.kyverno.io/autogen-controllers": "none" })), ["/pods"]);
        });
        it("a policy that may exist before Kyverno is ready (its release skips the wait) endangers a workload that does not wait for Kyverno", () => {
            const k = kyverno({ skipAwait: true, atomic: false });
            const p = policy([k]);
            // The policy itself meets Kyverno's policy webhooks (tested below); here, the resource webhooks only.
            const resourceFindings = (resources: PlannedResource[]) =>
                webhookFindings(resources).filter((f) => /validate\.kyverno\.svc-fail for/.test(f.why));
            const found = resourceFindings([k, p, workload("apps")]);
            assert.equal(found.length, 2, JSON.stringify(found)); // the Deployment and its pods
            assert.match(found[0].why, /validate\.kyverno\.svc-fail for ClusterPolicy "policy"/);
            assert.match(found[0].source, /kyverno\/kyverno pkg\/controllers\/webhook\/controller\.go @ v1\.19\.0/);
            // kube-system and Kyverno's own namespace are excluded (values.yaml config.webhooks, excludeKyvernoNamespace).
            assert.deepEqual(resourceFindings([k, p, workload("kube-system"), workload("kyverno")]), []);
            // A policy with failurePolicy Ignore goes to validate.kyverno.svc-ignore.
            assert.deepEqual(resourceFindings([k, policy([k], { failurePolicy: "Ignore" }), workload("apps")]), []);
            // What comes before the policy meets no webhook of it.
            const early = workload("apps");
            assert.deepEqual(resourceFindings([k, early, policy([k, early])]), []);
        });
        it("passes when the policy waits for a release that waits for Kyverno's pods (main's supply chain)", () => {
            const k = kyverno();
            assert.deepEqual(webhookFindings([k, policy([k]), workload("apps")]), []);
        });
        it("v1.19.0 controller.go buildPolicyValidatingWebhookConfiguration/buildPolicyMutatingWebhookConfiguration: a ClusterPolicy created while Kyverno's release has not waited (skipAwait without atomic) is rejected; with the release waiting it passes", () => {
            const skipped = kyverno({ skipAwait: true, atomic: false });
            const found = webhookFindings([skipped, policy([skipped])]);
            assert.deepEqual(
                found.map((f) => f.why.split(" with failurePolicy")[0]),
                [
                    'ClusterPolicy (kyverno.io/clusterpolicies) may be created while Release "kyverno-release" (kyverno 3.9.0) has registered webhook validate-policy.kyverno.svc (kyverno-policy-validating-webhook-cfg)',
                    'ClusterPolicy (kyverno.io/clusterpolicies) may be created while Release "kyverno-release" (kyverno 3.9.0) has registered webhook mutate-policy.kyverno.svc (kyverno-policy-mutating-webhook-cfg)',
                ],
                JSON.stringify(found),
            );
            assert.match(
                found[0].source,
                /kyverno\/kyverno pkg\/controllers\/webhook\/controller\.go @ v1\.19\.0 .*buildPolicyValidatingWebhookConfiguration/,
            );
            // A policies.kyverno.io policy (v1.19's CEL policies) meets the validating one.
            const cel = object("kubernetes:policies.kyverno.io/v1:ValidatingPolicy", undefined, [skipped], "cel");
            assert.deepEqual(
                webhookFindings([skipped, cel]).map((f) => /validate-policy\.kyverno\.svc/.test(f.why)),
                [true],
            );
            // Waiting: skipAwait with atomic, or no skipAwait.
            for (const waiting of [kyverno({ skipAwait: true, atomic: true }), kyverno()]) {
                assert.deepEqual(webhookFindings([waiting, policy([waiting])]), []);
                assert.deepEqual(
                    webhookFindings([waiting, object("kubernetes:policies.kyverno.io/v1:ValidatingPolicy", undefined, [waiting], "cel")]),
                    [],
                );
            }
        });
    });

    it("every chart with webhooks cites its template at the pinned version", () => {
        for (const [chart, facts] of Object.entries(CHART_FACTS)) {
            for (const w of facts.webhooks) assert.match(w.source, /@ |chart \d|v\d/, `${chart} ${w.name}`);
        }
    });
});
