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
    /** The chart template that registers it, at the pinned version. */
    readonly source: string;
}

export interface ChartFacts {
    /** API groups of the CRDs it installs with these values (not with `skipCrds`). */
    crdGroups(values: Values): readonly string[];
    /** Whether it creates Services (what the LB controller's Service webhook intercepts). */
    createsServices(values: Values): boolean;
    readonly webhooks: readonly ChartWebhook[];
    readonly source: string;
}

const ALBC = "kubernetes-sigs/aws-load-balancer-controller helm/aws-load-balancer-controller/templates/webhook.yaml @ v3.5.0 (chart 3.5.0)";
const CERT_MANAGER =
    "cert-manager/cert-manager deploy/charts/cert-manager/templates/webhook-validating-webhook.yaml, webhook-mutating-webhook.yaml @ v1.21.1";
const ESO = "external-secrets/external-secrets deploy/charts/external-secrets/templates/validatingwebhook.yaml @ helm-chart-2.9.0";
const PIRAEUS =
    "piraeusdatastore/piraeus-operator charts/piraeus/templates/validating-webhook-configuration.yaml (chart 2.6.0 and the v2 branch; values.yaml webhook.failurePolicy: Fail)";

const failureFrom =
    (path: string, fallback: "Fail" | "Ignore") =>
    (values: Values): "Fail" | "Ignore" =>
        valueAt(values, path, fallback) === "Ignore" ? "Ignore" : "Fail";

/** Facts by chart name (the last segment of an OCI reference). */
export const CHART_FACTS: Readonly<Record<string, ChartFacts>> = {
    "aws-load-balancer-controller": {
        crdGroups: () => ["elbv2.k8s.aws", "aga.k8s.aws"],
        createsServices: () => true,
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
        createsServices: () => true,
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
        createsServices: () => true,
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
        createsServices: () => true,
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
        createsServices: () => false,
        source: "aws/karpenter-provider-aws charts/karpenter-crd/templates @ v1.14.1",
        webhooks: [],
    },
    karpenter: {
        crdGroups: () => ["karpenter.sh", "karpenter.k8s.aws"],
        createsServices: () => true,
        source: "aws/karpenter-provider-aws charts/karpenter/templates/service.yaml, crds/ @ v1.14.1 (no admission webhooks since v1.0)",
        webhooks: [],
    },
    "aws-privateca-issuer": {
        crdGroups: () => ["awspca.cert-manager.io"],
        createsServices: () => true,
        source: "cert-manager/aws-privateca-issuer charts/aws-pca-issuer/crds, templates/service.yaml @ v1.9.1",
        webhooks: [],
    },
    "gitlab-runner": {
        crdGroups: () => [],
        createsServices: (v) => valueAt(v, "metrics.enabled", false) === true && valueAt(v, "service.enabled", false) === true,
        source: "gitlab-org/charts/gitlab-runner templates/service.yaml (only with metrics.enabled and service.enabled)",
        webhooks: [],
    },
    jenkins: {
        crdGroups: () => [],
        createsServices: () => true,
        source: "jenkinsci/helm-charts charts/jenkins/templates/jenkins-controller-svc.yaml @ jenkins-5.9.53",
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
