/** Kubernetes rules: pinned charts from known repositories, hardened Karpenter nodes, current APIs. */
import { isKubernetesKind, isProdStack, NO_FINDINGS, resourcePolicy, ResourceRule } from "./lib/rule";

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

function repositoryOf(chart: string, props: { repositoryOpts?: { repo?: unknown }; repo?: unknown }): string | undefined {
    if (chart.startsWith("oci://")) {
        return chart.slice(0, chart.lastIndexOf("/"));
    }
    const repo = props.repositoryOpts?.repo ?? props.repo;
    if (repo === undefined) {
        return undefined;
    }
    const url = String(repo);
    // Trailing slashes trimmed; most repositories are written without one and are taken as they are.
    return url.endsWith("/") ? url.replace(/\/+$/, "") : url;
}

export const helmRule: ResourceRule = {
    name: "kubernetes-helm-require-pinned-chart",
    description: "Helm releases pin an exact chart version from an allowed repository.",
    enforcementLevel: "mandatory",
    types: ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"],
    check: (r, config) => {
        let problems: string[] | undefined;
        const chart = String(r.props.chart ?? "");
        if (!EXACT_VERSION.test(String(r.props.version ?? ""))) {
            (problems ??= []).push(
                `Helm release "${r.name}" (${chart}) is not pinned: set version to an exact chart version (got ${JSON.stringify(r.props.version ?? null)}).`,
            );
        }
        const repository = repositoryOf(chart, r.props);
        if (!repository || !config.allowedHelmRepositories.includes(repository)) {
            (problems ??= []).push(
                `Helm release "${r.name}" (${chart}) comes from ${repository ?? "an unnamed repository"}: use one of ${config.allowedHelmRepositories.join(", ")} or add it to allowedHelmRepositories.`,
            );
        }
        return problems ?? NO_FINDINGS;
    },
};

export const nodeClassRule: ResourceRule = {
    name: "karpenter-nodeclass-require-imdsv2-encryption",
    description: "Karpenter EC2NodeClasses require IMDSv2 with hop limit 1 and encrypt every volume.",
    enforcementLevel: "mandatory",
    types: (type) => isKubernetesKind(type, "EC2NodeClass"),
    check: (r) => {
        const spec = r.props.spec ?? {};
        let problems: string[] | undefined;
        const metadata = spec.metadataOptions ?? {};
        if (metadata.httpTokens !== "required") {
            (problems ??= []).push(`EC2NodeClass "${r.name}" allows IMDSv1: set metadataOptions.httpTokens "required".`);
        }
        if (metadata.httpPutResponseHopLimit !== 1) {
            (problems ??= []).push(
                `EC2NodeClass "${r.name}" lets pods reach IMDS (hop limit ${String(metadata.httpPutResponseHopLimit ?? "default 1 not set")}): set metadataOptions.httpPutResponseHopLimit 1.`,
            );
        }
        const devices: Array<{ deviceName?: string; ebs?: { encrypted?: unknown } }> = Array.isArray(spec.blockDeviceMappings)
            ? spec.blockDeviceMappings
            : [];
        if (devices.length === 0) {
            (problems ??= []).push(
                `EC2NodeClass "${r.name}" uses the AMI's default volumes: declare blockDeviceMappings with encrypted volumes.`,
            );
        }
        devices
            .filter((d) => d.ebs?.encrypted !== true)
            .forEach((d) =>
                (problems ??= []).push(
                    `EC2NodeClass "${r.name}" device ${d.deviceName ?? "?"} is not encrypted: set ebs.encrypted true and kmsKeyID.`,
                ),
            );
        return problems ?? NO_FINDINGS;
    },
};

export const latestAmiRule: ResourceRule = {
    name: "karpenter-nodeclass-deny-latest-ami-in-prod",
    description: "Production EC2NodeClasses pin their AMI: no @latest alias where the stack is prod.",
    enforcementLevel: "mandatory",
    types: (type) => isKubernetesKind(type, "EC2NodeClass"),
    check: (r, config) => {
        const aliases: string[] = (Array.isArray(r.props.spec?.amiSelectorTerms) ? r.props.spec.amiSelectorTerms : []).map(
            (t: { alias?: string }) => t.alias ?? "",
        );
        return isProdStack(r, config) && aliases.some((a) => a.endsWith("@latest"))
            ? [
                  `EC2NodeClass "${r.name}" uses ${aliases.find((a) => a.endsWith("@latest"))} in prod: pin a release such as al2023@v20261020.`,
              ]
            : NO_FINDINGS;
    },
};

/** `Object.keys(value).length > 0` without the list of keys. */
function hasOwnKey(value: object): boolean {
    for (const key in value) {
        if (Object.prototype.hasOwnProperty.call(value, key)) {
            return true;
        }
    }
    return false;
}

export const nodePoolLimitsRule: ResourceRule = {
    name: "karpenter-nodepool-require-limits",
    description: "Every Karpenter NodePool caps what it may launch.",
    enforcementLevel: "mandatory",
    types: (type) => isKubernetesKind(type, "NodePool"),
    check: (r) => {
        const limits = r.props.spec?.limits;
        return limits && typeof limits === "object" && hasOwnKey(limits)
            ? NO_FINDINGS
            : [`NodePool "${r.name}" has no limits: set spec.limits (cpu, memory) so a runaway workload cannot launch without bound.`];
    },
};

const DEPRECATED_APIS: Record<string, string> = {
    "external-secrets.io/v1beta1": "external-secrets.io/v1",
    "external-secrets.io/v1alpha1": "external-secrets.io/v1",
    "karpenter.sh/v1beta1": "karpenter.sh/v1",
    "karpenter.sh/v1alpha5": "karpenter.sh/v1 (NodePool)",
    "karpenter.k8s.aws/v1beta1": "karpenter.k8s.aws/v1",
    "karpenter.k8s.aws/v1alpha1": "karpenter.k8s.aws/v1 (EC2NodeClass)",
    "cert-manager.io/v1alpha2": "cert-manager.io/v1",
    "snapshot.storage.k8s.io/v1beta1": "snapshot.storage.k8s.io/v1",
};

export const deprecatedApiRule: ResourceRule = {
    name: "kubernetes-api-deny-deprecated-versions",
    description: "Kubernetes objects use current API versions (no ESO v1beta1, Karpenter v1beta1/v1alpha5).",
    enforcementLevel: "mandatory",
    types: (type) => type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/"),
    check: (r) => {
        const apiVersion = String(r.props.apiVersion ?? r.type.split(":")[1]);
        const current = DEPRECATED_APIS[apiVersion];
        return current ? [`${r.type.split(":").pop()} "${r.name}" uses the deprecated API ${apiVersion}: use ${current}.`] : NO_FINDINGS;
    },
};

export const kubernetesRules = [helmRule, nodeClassRule, latestAmiRule, nodePoolLimitsRule, deprecatedApiRule];
export const kubernetesPolicies = kubernetesRules.map(resourcePolicy);
