/**
 * Long-lived credentials: static AWS access keys must not reach Kubernetes. Workloads get AWS
 * access through IRSA / Pod Identity and secrets through ESO's ABAC session tags; a static key in a
 * Secret, chart values, an ESO store or an ESO-delivered secret bypasses both.
 */
import { PolicyResource } from "@pulumi/policy";
import { isKubernetesKind, NO_FINDINGS, resourcePolicy, ResourceRule, stackPolicy, StackRule } from "./lib/rule";

export const ACCESS_KEY_TYPE = "aws:iam/accessKey:AccessKey";

/**
 * Resources whose values reach Kubernetes, with the inputs that carry the values: Kubernetes
 * objects and Helm releases directly, Secrets Manager secrets and SSM parameters through ESO (every
 * secret carries the ABAC tag naming the namespace that reads it).
 */
function valueInputs(type: string): readonly string[] | "all" | undefined {
    switch (type) {
        case "kubernetes:core/v1:Secret":
            return ["data", "stringData"];
        case "kubernetes:helm.sh/v3:Release":
        case "kubernetes:helm.sh/v4:Chart":
            return ["values", "valueYamlFiles"];
        case "aws:secretsmanager/secretVersion:SecretVersion":
            return ["secretString", "secretBinary"];
        case "aws:ssm/parameter:Parameter":
            return ["value", "insecureValue"];
        default:
            return type.startsWith("kubernetes:") ? "all" : undefined;
    }
}

/**
 * The access keys a resource's values come from. An output of another resource is hidden in a plan
 * (unknown or secret), so the link is the dependency the engine records: per input where the
 * engine sends property dependencies, else the resource's dependencies.
 */
function accessKeysFeeding(r: PolicyResource, inputs: readonly string[] | "all"): PolicyResource[] {
    const byInput = r.propertyDependencies ?? {};
    const keys = Object.keys(byInput);
    const deps = keys.length === 0 ? r.dependencies : keys.filter((k) => inputs === "all" || inputs.includes(k)).flatMap((k) => byInput[k]);
    return [...new Set(deps.filter((d) => d.type === ACCESS_KEY_TYPE))];
}

const kindOf = (type: string): string => type.split(":").pop() ?? type;

export const accessKeyWiringRule: StackRule = {
    name: "aws-iam-deny-access-key-in-kubernetes",
    description:
        "No IAM access key (aws.iam.AccessKey) feeds a Kubernetes Secret, Helm values, another Kubernetes object, or a Secrets Manager secret or SSM parameter that ESO delivers.",
    enforcementLevel: "mandatory",
    requiresType: ACCESS_KEY_TYPE,
    reads: (type) => type === ACCESS_KEY_TYPE || valueInputs(type) !== undefined,
    check: (resources) => {
        const findings: Array<{ urn: string; name: string; tags: unknown; message: string }> = [];
        for (const r of resources) {
            const inputs = valueInputs(r.type);
            if (inputs === undefined) {
                continue;
            }
            for (const key of accessKeysFeeding(r, inputs)) {
                findings.push({
                    urn: r.urn,
                    name: r.name,
                    tags: undefined,
                    message: `${kindOf(r.type)} "${r.name}" carries the static access key of "${key.name}" into Kubernetes: give the workload an IRSA or Pod Identity role instead, or exempt it with the reason the consumer cannot use one.`,
                });
            }
        }
        return findings;
    },
};

/** AWS access key ids: long-term (AKIA) and temporary (ASIA). */
const KEY_ID = /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g;
/** `@pulumi/policy` proxies inputs; this key returns the plain object behind the proxy. */
const PROXY_TARGET = "__getSpecialProxyTarget";

/** The length of a key id: its prefix and 16 characters. */
const KEY_ID_LENGTH = 20;

/**
 * Whether a key id may be in the JSON text of `value`: a match of KEY_ID lies inside one string (a value or a key),
 * since JSON.stringify writes nothing else that holds an upper-case letter (numbers, `true`, `false`, `null`,
 * punctuation, and escapes made of `\` and lower-case letters or digits), so that string is at least 20 characters
 * and holds "AKIA" or "ASIA" as they are. Walks the value without allocating (most inputs hold no such string).
 */
function mayHoldKeyId(value: unknown): boolean {
    if (typeof value === "string") {
        return value.length >= KEY_ID_LENGTH && (value.includes("AKIA") || value.includes("ASIA"));
    }
    if (value === null || typeof value !== "object") {
        return false;
    }
    if (Array.isArray(value)) {
        for (const item of value) {
            if (mayHoldKeyId(item)) {
                return true;
            }
        }
        return false;
    }
    for (const key in value) {
        if (
            (key.length >= KEY_ID_LENGTH && (key.includes("AKIA") || key.includes("ASIA"))) ||
            mayHoldKeyId((value as Record<string, unknown>)[key])
        ) {
            return true;
        }
    }
    return false;
}

const NO_KEY_IDS: readonly string[] = Object.freeze([]);

/** Literal key ids anywhere in a resource's inputs (unknown values are never key ids). */
export function literalKeyIds(props: Record<string, unknown>): readonly string[] {
    const plain = (props as Record<string, unknown>)[PROXY_TARGET] ?? props;
    if (!mayHoldKeyId(plain)) {
        return NO_KEY_IDS;
    }
    const text = JSON.stringify(plain) ?? "";
    return [...new Set(text.match(KEY_ID) ?? [])];
}

const mask = (id: string): string => `${id.slice(0, 4)}…${id.slice(-4)}`;

export const staticCredentialsRule: ResourceRule = {
    name: "kubernetes-deny-static-aws-credentials",
    description:
        "Kubernetes objects and Helm values carry no literal AWS access key id, and External Secrets stores never authenticate to AWS with a static key (auth.secretRef).",
    enforcementLevel: "mandatory",
    types: (type) => type.startsWith("kubernetes:"),
    check: (r) => {
        const ids = literalKeyIds(r.props);
        const secretStore = isKubernetesKind(r.type, "SecretStore") || isKubernetesKind(r.type, "ClusterSecretStore");
        if (ids.length === 0 && !secretStore) {
            return NO_FINDINGS;
        }
        const problems = ids.map(
            (id) =>
                `${kindOf(r.type)} "${r.name}" contains the AWS access key id ${mask(id)}: remove it, rotate the key, and use an IRSA or Pod Identity role.`,
        );
        if (secretStore) {
            const secretRef = r.props.spec?.provider?.aws?.auth?.secretRef;
            if (secretRef) {
                const refs = ["accessKeyIDSecretRef", "secretAccessKeySecretRef"].filter((k) => secretRef[k]).join(", ") || "secretRef";
                problems.push(
                    `${kindOf(r.type)} "${r.name}" authenticates to AWS with a static key (auth.secretRef ${refs}): use auth.jwt with the controller's IRSA role, or the platform ClusterSecretStore.`,
                );
            }
        }
        return problems;
    },
};

export const credentialRules = [staticCredentialsRule];
export const credentialStackRules = [accessKeyWiringRule];
export const credentialPolicies = [resourcePolicy(staticCredentialsRule), stackPolicy(accessKeyWiringRule)];
