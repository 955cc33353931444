/**
 * What each chart the platform installs does to the API server, at its pinned version, as far as
 * admission at apply time is concerned: the CRD groups it installs, the admission webhooks it
 * registers (what they intercept, their failure policy, and the values that switch them), and whether
 * it creates Services. Read from the charts' templates (cited per entry); `npm run render` renders the
 * real charts and is where the rest of their output is checked.
 */
import { chartRefOf } from "../render/charts";

export type Values = Record<string, unknown>;

/** A value at a dotted path, or the chart's default. */
export function valueAt(values: Values, path: string, fallback: unknown): unknown {
    let at: unknown = values;
    for (const key of path.split(".")) {
        if (at === null || typeof at !== "object" || !(key in (at as Values))) return fallback;
        at = (at as Values)[key];
    }
    return at ?? fallback;
}

export interface WebhookRule {
    /** API group ("" for core). */
    readonly group: string;
    /** Resource (plural), or "*" for every resource of the group. */
    readonly resource: string;
    readonly operations: readonly string[];
}

export interface ChartWebhook {
    readonly name: string;
    readonly rules: readonly WebhookRule[];
    /** Whether the chart renders it with these values. */
    enabled(values: Values): boolean;
    /** `Fail` rejects what it intercepts while no pod answers; `Ignore` lets it through. */
    failurePolicy(values: Values): "Fail" | "Ignore";
    /** A namespace label the namespace must carry to be intercepted (opt-in webhooks), when it has one. */
    readonly optInNamespaceLabel?: string;
    /** The chart template (or, for webhooks the software registers on start, the code) that registers it, at the pinned version. */
    readonly source: string;
}

/** An object a chart's templates create, as webhook rules see it. */
export interface CreatedKind {
    /** API group ("" for core). */
    readonly group: string;
    /** Resource (plural). */
    readonly resource: string;
    /** The template that creates it, for messages. */
    readonly template: string;
}

export interface ChartFacts {
    /** API groups of the CRDs it installs with these values (not with `skipCrds`). */
    crdGroups(values: Values): readonly string[];
    /**
     * What its templates create that some webhook intercepts (Services, cert-manager Certificates and
     * Issuers, Ingresses), with these values. Pods come from its workloads (`scheduling/charts.ts`).
     */
    creates(values: Values): readonly CreatedKind[];
    readonly webhooks: readonly ChartWebhook[];
    /**
     * Webhooks the software registers at run time rather than the chart: Kyverno registers its resource
     * webhooks for the kinds its policies match, with each policy's failurePolicy.
     */
    readonly runtimeWebhooks?: RuntimeWebhooks;
    readonly source: string;
}

/** Kyverno's resource webhooks, registered by its admission controller for the policies that exist. */
export interface RuntimeWebhooks {
    readonly kind: "kyverno-policies";
    /** Namespaces its webhooks never intercept with these values (`config.webhooks` namespaceSelector, `excludeKyvernoNamespace`). */
    excludedNamespaces(values: Values, releaseNamespace: string): readonly string[];
    readonly source: string;
}

const SERVICES = (template: string): CreatedKind => ({ group: "", resource: "services", template });
const INGRESSES = (template: string): CreatedKind => ({ group: "networking.k8s.io", resource: "ingresses", template });
const CERTIFICATES = (template: string): CreatedKind => ({ group: "cert-manager.io", resource: "certificates", template });
const ISSUERS = (template: string): CreatedKind => ({ group: "cert-manager.io", resource: "issuers", template });
const CLUSTER_ISSUERS = (template: string): CreatedKind => ({ group: "cert-manager.io", resource: "clusterissuers", template });
const when = (condition: boolean, ...kinds: CreatedKind[]): CreatedKind[] => (condition ? kinds : []);

const ALBC = "kubernetes-sigs/aws-load-balancer-controller helm/aws-load-balancer-controller/templates/webhook.yaml @ v3.5.0 (chart 3.5.0)";
const CERT_MANAGER =
    "cert-manager/cert-manager deploy/charts/cert-manager/templates/webhook-validating-webhook.yaml, webhook-mutating-webhook.yaml @ v1.21.1";
const ESO = "external-secrets/external-secrets deploy/charts/external-secrets/templates/validatingwebhook.yaml @ helm-chart-2.9.0";
const PIRAEUS =
    "piraeusdatastore/piraeus-operator charts/piraeus/templates/validating-webhook-configuration.yaml (chart 2.6.0 and the v2 branch; values.yaml webhook.failurePolicy: Fail)";

const KYVERNO_POLICY_WEBHOOKS = "kyverno/kyverno pkg/controllers/webhook/controller.go @ v1.19.0 (chart 3.9.0)";
/** The policies.kyverno.io kinds Kyverno v1.19.0's policy validating webhook intercepts (controller.go `validatingPolicyRule` … `deletingPolicyRule`). */
const KYVERNO_CEL_POLICIES = [
    "validatingpolicies",
    "namespacedvalidatingpolicies",
    "imagevalidatingpolicies",
    "namespacedimagevalidatingpolicies",
    "generatingpolicies",
    "namespacedgeneratingpolicies",
    "mutatingpolicies",
    "namespacedmutatingpolicies",
    "deletingpolicies",
];

const failureFrom =
    (path: string, fallback: "Fail" | "Ignore") =>
    (values: Values): "Fail" | "Ignore" =>
        valueAt(values, path, fallback) === "Ignore" ? "Ignore" : "Fail";

/** Facts by chart name (the last segment of an OCI reference). */
export const CHART_FACTS: Readonly<Record<string, ChartFacts>> = {
    "aws-load-balancer-controller": {
        crdGroups: () => ["elbv2.k8s.aws", "aga.k8s.aws"],
        // templates/cert-manager.yaml: `if and .Values.enableCertManager (not .Values.certManager.issuerRef)`.
        creates: (v) => [
            SERVICES("templates/webhook.yaml (webhook Service)"),
            ...when(
                valueAt(v, "enableCertManager", false) === true && !valueAt(v, "certManager.issuerRef", undefined),
                CERTIFICATES("templates/cert-manager.yaml"),
                ISSUERS("templates/cert-manager.yaml"),
            ),
        ],
        source: ALBC,
        webhooks: [
            {
                // Rejects every Service create while the controller's pods are down (upstream issue kubernetes-sigs/aws-load-balancer-controller#4140).
                name: "mservice.elbv2.k8s.aws",
                rules: [{ group: "", resource: "services", operations: ["CREATE"] }],
                enabled: (v) => valueAt(v, "enableServiceMutatorWebhook", true) !== false,
                failurePolicy: failureFrom("serviceMutatorWebhookConfig.failurePolicy", "Fail"),
                source: `${ALBC}; values.yaml enableServiceMutatorWebhook: true, serviceMutatorWebhookConfig.failurePolicy: Fail; issue #4140`,
            },
            {
                name: "mpod.elbv2.k8s.aws",
                rules: [{ group: "", resource: "pods", operations: ["CREATE"] }],
                enabled: () => true,
                failurePolicy: failureFrom("podMutatorWebhookConfig.failurePolicy", "Ignore"),
                optInNamespaceLabel: "elbv2.k8s.aws/pod-readiness-gate-inject",
                source: ALBC,
            },
            {
                name: "vtargetgroupbinding.elbv2.k8s.aws",
                rules: [{ group: "elbv2.k8s.aws", resource: "targetgroupbindings", operations: ["CREATE", "UPDATE"] }],
                enabled: () => true,
                failurePolicy: () => "Fail",
                source: ALBC,
            },
            {
                name: "vingress.elbv2.k8s.aws",
                rules: [{ group: "networking.k8s.io", resource: "ingresses", operations: ["CREATE", "UPDATE"] }],
                enabled: (v) => valueAt(v, "webhookConfig.disableIngressValidation", false) !== true,
                failurePolicy: failureFrom("webhookConfig.ingressValdationFailurePolicy", "Fail"),
                source: ALBC,
            },
        ],
    },
    "cert-manager": {
        crdGroups: (v) =>
            valueAt(v, "crds.enabled", false) === true || valueAt(v, "installCRDs", false) === true
                ? ["cert-manager.io", "acme.cert-manager.io"]
                : [],
        creates: () => [SERVICES("templates/webhook-service.yaml")],
        source: CERT_MANAGER,
        webhooks: [
            {
                name: "webhook.cert-manager.io (validating)",
                rules: [
                    { group: "cert-manager.io", resource: "*", operations: ["CREATE", "UPDATE"] },
                    { group: "acme.cert-manager.io", resource: "*", operations: ["CREATE", "UPDATE"] },
                ],
                enabled: () => true,
                failurePolicy: () => "Fail",
                source: CERT_MANAGER,
            },
            {
                name: "webhook.cert-manager.io (mutating)",
                rules: [{ group: "cert-manager.io", resource: "certificaterequests", operations: ["CREATE"] }],
                enabled: () => true,
                failurePolicy: () => "Fail",
                source: CERT_MANAGER,
            },
        ],
    },
    "external-secrets": {
        crdGroups: (v) => (valueAt(v, "installCRDs", true) === true ? ["external-secrets.io", "generators.external-secrets.io"] : []),
        // templates/webhook-certificate.yaml: `if and .Values.webhook.create .Values.webhook.certManager.enabled .Values.webhook.certManager.cert.create`.
        creates: (v) => [
            SERVICES("templates/webhook-service.yaml"),
            ...when(
                valueAt(v, "webhook.create", true) !== false &&
                    valueAt(v, "webhook.certManager.enabled", false) === true &&
                    valueAt(v, "webhook.certManager.cert.create", true) !== false,
                CERTIFICATES("templates/webhook-certificate.yaml"),
            ),
        ],
        source: ESO,
        webhooks: [
            {
                name: "validate.(cluster)secretstore / externalsecret.external-secrets.io",
                rules: ["secretstores", "clustersecretstores", "externalsecrets"].map((resource) => ({
                    group: "external-secrets.io",
                    resource,
                    operations: ["CREATE", "UPDATE", "DELETE"],
                })),
                enabled: (v) => valueAt(v, "webhook.create", true) !== false,
                failurePolicy: failureFrom("webhook.failurePolicy", "Fail"),
                source: ESO,
            },
        ],
    },
    piraeus: {
        crdGroups: (v) => (valueAt(v, "installCRDs", false) === true ? ["piraeus.io"] : []),
        // templates/validating-webhook-configuration.yaml: a Certificate `if .Values.tls.certManagerIssuerRef`.
        creates: (v) => [
            SERVICES("templates/webhook-service.yaml"),
            ...when(!!valueAt(v, "tls.certManagerIssuerRef", undefined), CERTIFICATES("templates/validating-webhook-configuration.yaml")),
        ],
        source: PIRAEUS,
        webhooks: [
            {
                name: "vlinstorcluster / vlinstorsatellite(configuration) / vlinstornodeconnection / vstorageclass .kb.io",
                rules: [
                    ...["linstorclusters", "linstorsatellites", "linstorsatelliteconfigurations", "linstornodeconnections"].map(
                        (resource) => ({
                            group: "piraeus.io",
                            resource,
                            operations: ["CREATE", "UPDATE"],
                        }),
                    ),
                    { group: "storage.k8s.io", resource: "storageclasses", operations: ["CREATE", "UPDATE"] },
                ],
                enabled: () => true,
                failurePolicy: failureFrom("webhook.failurePolicy", "Fail"),
                source: PIRAEUS,
            },
        ],
    },
    "karpenter-crd": {
        crdGroups: () => ["karpenter.sh", "karpenter.k8s.aws"],
        creates: () => [],
        source: "aws/karpenter-provider-aws charts/karpenter-crd/templates @ v1.14.1",
        webhooks: [],
    },
    karpenter: {
        crdGroups: () => ["karpenter.sh", "karpenter.k8s.aws"],
        creates: () => [SERVICES("templates/service.yaml")],
        source: "aws/karpenter-provider-aws charts/karpenter/templates/service.yaml, crds/ @ v1.14.1 (no admission webhooks since v1.0)",
        webhooks: [],
    },
    "aws-privateca-issuer": {
        crdGroups: () => ["awspca.cert-manager.io"],
        creates: () => [SERVICES("templates/service.yaml")],
        source: "cert-manager/aws-privateca-issuer charts/aws-pca-issuer/crds, templates/service.yaml @ v1.9.1",
        webhooks: [],
    },
    // Kyverno registers its admission webhooks at run time (its admission controller's webhook controller), not
    // from chart templates: its resource webhooks for the policies that exist (`runtimeWebhooks` models them from the
    // plan's policies), and its policy webhooks on start (`webhooks`). The CRDs come from
    // the chart's `crds` subchart, on by default.
    kyverno: {
        crdGroups: (v) => (valueAt(v, "crds.install", true) === false ? [] : ["kyverno.io", "reports.kyverno.io", "wgpolicyk8s.io"]),
        // templates/{admission,cleanup}-controller/cert-manager-certificates.yaml: with `<c>.certManager.enabled` and not `createSelfSignedCert`.
        creates: (v) => [
            SERVICES("templates/admission-controller/service.yaml"),
            ...(["admissionController", "cleanupController"] as const).flatMap((c) =>
                when(
                    (c === "admissionController" || valueAt(v, `${c}.enabled`, true) !== false) &&
                        valueAt(v, `${c}.certManager.enabled`, false) === true &&
                        valueAt(v, `${c}.createSelfSignedCert`, false) !== true,
                    CERTIFICATES(
                        `templates/${c === "admissionController" ? "admission" : "cleanup"}-controller/cert-manager-certificates.yaml`,
                    ),
                    ISSUERS(`templates/${c === "admissionController" ? "admission" : "cleanup"}-controller/cert-manager-certificates.yaml`),
                    ...when(
                        valueAt(v, `${c}.certManager.createSelfSignedIssuer`, false) === true,
                        CLUSTER_ISSUERS(
                            `templates/${c === "admissionController" ? "admission" : "cleanup"}-controller/cert-manager-certificates.yaml`,
                        ),
                    ),
                ),
            ),
        ],
        runtimeWebhooks: {
            kind: "kyverno-policies",
            // values.yaml config.webhooks.namespaceSelector (kubernetes.io/metadata.name NotIn [kube-system]) and
            // config.excludeKyvernoNamespace: true; a values override of config.webhooks replaces the selector.
            excludedNamespaces: (v, ns) => [
                ...(valueAt(v, "config.webhooks", undefined) === undefined ? ["kube-system"] : []),
                ...(valueAt(v, "config.excludeKyvernoNamespace", true) !== false ? [ns] : []),
            ],
            source: "kyverno/kyverno pkg/controllers/webhook/controller.go @ v1.19.0 (chart 3.9.0): resource webhooks validate.kyverno.svc-fail/-ignore for the kinds policies match, by each policy's failurePolicy (default Fail, api/kyverno/v1/spec_types.go); charts/kyverno/values.yaml config.webhooks, config.excludeKyvernoNamespace",
        },
        source: "kyverno/kyverno charts/kyverno/values.yaml (crds.install: true; crds.groups.kyverno, reports, wgpolicyk8s) @ chart 3.9.0",
        // Kyverno's admission controller registers these itself as it starts (enqueuePolicyWebhooks), whatever the
        // policies and whatever `features.autoUpdateWebhooks` says (that flag only switches the resource webhooks), with
        // no namespace selector: a policy created while the controller's pods are not ready is rejected.
        webhooks: [
            {
                name: "validate-policy.kyverno.svc (kyverno-policy-validating-webhook-cfg)",
                rules: [
                    ...["clusterpolicies", "policies"].map((resource) => ({
                        group: "kyverno.io",
                        resource,
                        operations: ["CREATE", "UPDATE"],
                    })),
                    ...KYVERNO_CEL_POLICIES.map((resource) => ({
                        group: "policies.kyverno.io",
                        resource,
                        operations: ["CREATE", "UPDATE"],
                    })),
                ],
                enabled: () => true,
                failurePolicy: () => "Fail",
                source: `${KYVERNO_POLICY_WEBHOOKS} buildPolicyValidatingWebhookConfiguration (policyRule, validatingPolicyRule … deletingPolicyRule; FailurePolicy: &fail)`,
            },
            {
                name: "mutate-policy.kyverno.svc (kyverno-policy-mutating-webhook-cfg)",
                rules: ["clusterpolicies", "policies"].map((resource) => ({
                    group: "kyverno.io",
                    resource,
                    operations: ["CREATE", "UPDATE"],
                })),
                enabled: () => true,
                failurePolicy: () => "Fail",
                source: `${KYVERNO_POLICY_WEBHOOKS} buildPolicyMutatingWebhookConfiguration (policyRule; FailurePolicy: &fail)`,
            },
        ],
    },
    "kyverno-notation-aws": {
        crdGroups: (v) => (valueAt(v, "crds.install", true) === false ? [] : ["notation.nirmata.io"]),
        creates: () => [SERVICES("templates/service.yaml")],
        source: "nirmata/kyverno-notation-aws charts/kyverno-notation-aws/templates/crds/notation.nirmata.io_truststores.yaml, _trustpolicies.yaml ({{- if .Values.crds.install }}; values.yaml crds.install: true), templates/service.yaml @ v1.1",
        webhooks: [],
    },
    "gitlab-runner": {
        crdGroups: () => [],
        creates: (v) =>
            when(
                valueAt(v, "metrics.enabled", false) === true && valueAt(v, "service.enabled", false) === true,
                SERVICES("templates/service.yaml"),
            ),
        source: "gitlab-org/charts/gitlab-runner templates/service.yaml (only with metrics.enabled and service.enabled)",
        webhooks: [],
    },
    jenkins: {
        crdGroups: () => [],
        creates: (v) => [
            SERVICES("templates/jenkins-controller-svc.yaml"),
            ...when(valueAt(v, "controller.ingress.enabled", false) === true, INGRESSES("templates/jenkins-controller-ingress.yaml")),
            ...when(
                valueAt(v, "controller.secondaryingress.enabled", false) === true,
                INGRESSES("templates/jenkins-controller-secondary-ingress.yaml"),
            ),
        ],
        source: "jenkinsci/helm-charts charts/jenkins/templates/jenkins-controller-svc.yaml, jenkins-controller-ingress.yaml @ jenkins-5.9.53",
        webhooks: [],
    },
};

/** The facts of a release's chart, when known. */
export function chartFactsOf(inputs: Record<string, unknown>): { name: string; version: string; facts?: ChartFacts } {
    const ref = chartRefOf(inputs);
    return { name: ref.name, version: ref.version, facts: CHART_FACTS[ref.name] };
}

/** CRD groups EKS managed add-ons install (by add-on name). */
export const ADDON_CRD_GROUPS: Readonly<Record<string, readonly string[]>> = {
    "snapshot-controller": ["snapshot.storage.k8s.io"],
    "vpc-cni": ["vpcresources.k8s.aws"],
};
