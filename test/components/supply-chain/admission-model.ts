/**
 * A small model of how a pod is admitted under the signed-images ClusterPolicy: Kyverno's side
 * (rule exclusions, foreach over each container list, wildcard preconditions as
 * kyverno/kyverno pkg/utils/wildcard matches them, the API call's trust-policy name) and the
 * verification service's side (kyverno-notation-aws verify.go: each image it is given is verified
 * with notation-go under the named trust policy; Notation's rules: the repository must be one of
 * the policy's registry scopes, some signature must chain to a trust store's root and name a
 * trusted identity, and, at level strict, not be revoked). It reads the policy and trust policy
 * objects the component builds, so a wrong pattern, list, name, scope or identity in them changes
 * the outcome. Kyverno's CLI and the service are not available offline; this is a model of them,
 * not them.
 */
import type { KubernetesObject } from "../../../components/supply-chain/kyverno";

/** A signature in the registry: who signed (the profile ARN Signer puts in the signature), under which root, and revocation. */
export interface Signature {
    readonly profileArn: string;
    readonly root: string;
    readonly revoked?: boolean;
}

export interface RegistryImage {
    readonly digest: string;
    readonly signatures: readonly Signature[];
}

export interface PodLike {
    readonly namespace: string;
    readonly spec: Partial<Record<"containers" | "initContainers" | "ephemeralContainers", Array<{ name: string; image: string }>>>;
}

export type Decision = { readonly admitted: true; readonly images: string[] } | { readonly admitted: false; readonly reason: string };

/** Kyverno's wildcard match: `*` any run of characters, `?` one character. */
export function wildcard(pattern: string, value: string): boolean {
    const re = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
    );
    return re.test(value);
}

const repositoryOf = (image: string): string => image.replace(/@sha256:[0-9a-f]+$/, "").replace(/:[^/:]+$/, "");

interface Condition {
    key: string;
    operator: string;
    value: unknown;
}

interface Rule {
    exclude?: { any?: Array<{ resources: { namespaces?: string[] } }> };
    preconditions?: { all?: Condition[] };
    mutate: {
        foreach: Array<{
            list: string;
            preconditions?: { any?: Condition[]; all?: Condition[] };
            context: Array<{ name: string; apiCall: { data?: Array<{ key: string; value: unknown }>; service?: unknown } }>;
            patchesJson6902: string;
        }>;
    };
}

/**
 * The containers a foreach list expression selects: `request.object.spec.<list>` optionally
 * filtered by `[?starts_with(image, '<prefix>') || ...]` (the only filter form the policy uses).
 */
function selectContainers(
    expression: string,
    spec: PodLike["spec"],
): { list: keyof PodLike["spec"]; selected: Array<{ name: string; image: string; index: number }> } {
    const m = /^request\.object\.spec\.(containers|initContainers|ephemeralContainers)(?:\[\?(.*)\])?$/.exec(expression);
    if (!m) throw new Error(`the model does not know the list expression ${expression}`);
    const list = m[1] as keyof PodLike["spec"];
    const prefixes = m[2] ? [...m[2].matchAll(/starts_with\(image, '([^']+)'\)/g)].map((x) => x[1]) : undefined;
    const all = (spec[list] ?? []).map((c, index) => ({ ...c, index }));
    return { list, selected: prefixes ? all.filter((c) => prefixes.some((p) => c.image.startsWith(p))) : all };
}

function conditionHolds(c: Condition, element: { image: string }): boolean {
    if (c.key === "{{ element.image }}" && c.operator === "AnyIn") return (c.value as string[]).some((v) => wildcard(v, element.image));
    if (c.key === "{{ element.image }}" && c.operator === "AnyNotIn") return !(c.value as string[]).some((v) => wildcard(v, element.image));
    throw new Error(`the model does not know the condition ${JSON.stringify(c)}`);
}

export function admit(
    pod: PodLike,
    policy: KubernetesObject,
    trustPolicies: readonly KubernetesObject[],
    trustStores: readonly KubernetesObject[],
    registry: Readonly<Record<string, RegistryImage>>,
): Decision {
    const spec: PodLike["spec"] = JSON.parse(JSON.stringify(pod.spec)) as PodLike["spec"];
    for (const rule of (policy.spec.rules as Rule[]) ?? []) {
        if (rule.exclude?.any?.some((f) => f.resources.namespaces?.includes(pod.namespace))) continue;
        // Rule preconditions: `length(<list expression> || []) > 0`.
        const gate = rule.preconditions?.all?.[0];
        if (gate) {
            const m = /^\{\{ length\((.*) \|\| `\[\]`\) \}\}$/.exec(gate.key);
            if (!m || gate.operator !== "GreaterThan") throw new Error(`the model does not know the precondition ${gate.key}`);
            if (selectContainers(m[1], spec).selected.length <= Number(gate.value)) continue;
        }
        for (const each of rule.mutate.foreach) {
            const { list, selected } = selectContainers(each.list, spec);
            for (const c of selected) {
                // Kyverno loads the foreach context (the service call) before the foreach preconditions.
                const call = each.context.find((e) => e.apiCall.service !== undefined);
                if (!call) throw new Error("the foreach calls no service");
                const data = Object.fromEntries((call.apiCall.data ?? []).map((d) => [d.key, d.value]));
                const sent = (data.images as Record<string, unknown> | undefined)?.[list];
                if (!sent) throw new Error(`rejected: the call for ${list} sends no ${list} images`);
                const verified = verify(c.image, String(data.trustPolicy), trustPolicies, trustStores, registry);
                if (typeof verified !== "string") throw new Error(`rejected: ${verified.error}`);
                const conditions = [...(each.preconditions?.any ?? []), ...(each.preconditions?.all ?? [])];
                if (conditions.length > 0 && !conditions.some((x) => conditionHolds(x, c))) continue;
                // The service's answer: the verified image by digest and its JSON pointer (/spec/<list>/<index>/image).
                const path = `/spec/${list}/${c.index}/image`;
                if (
                    !each.patchesJson6902.includes("verified.results[0].path") ||
                    !each.patchesJson6902.includes("verified.results[0].value")
                )
                    throw new Error(
                        "the patch does not use the service's answer (results[].path and results[].value, a JSON patch operation)",
                    );
                const [, , , index] = path.split("/");
                (spec[list] ?? [])[Number(index)] = { ...c, image: `${repositoryOf(c.image)}@${verified}` };
            }
        }
    }
    return { admitted: true, images: Object.values(spec).flatMap((cs) => (cs ?? []).map((x) => x.image)) };
}

/** Admission as a decision (the API call's error refuses the pod, the policy failing closed). */
export function decide(...args: Parameters<typeof admit>): Decision {
    try {
        return admit(...args);
    } catch (err) {
        return { admitted: false, reason: (err as Error).message };
    }
}

function verify(
    image: string,
    trustPolicyName: string,
    trustPolicies: readonly KubernetesObject[],
    trustStores: readonly KubernetesObject[],
    registry: Readonly<Record<string, RegistryImage>>,
): string | { error: string } {
    // The service keys verifiers by spec.trustPolicyName (the file the controller writes), not by metadata.name.
    const document = trustPolicies.find((t) => t.spec.trustPolicyName === trustPolicyName);
    if (!document) return { error: `trust policy ${trustPolicyName} not found` };
    const repository = repositoryOf(image);
    const policies = document.spec.trustPolicies as Array<{
        registryScopes: string[];
        signatureVerification: { level: string };
        trustStores: string[];
        trustedIdentities: string[];
    }>;
    const tp = policies.find((p) => p.registryScopes.includes(repository) || p.registryScopes.includes("*"));
    if (!tp) return { error: `artifact ${image} has no applicable trust policy` };
    const found = registry[image] ?? registry[repository];
    if (!found) return { error: `${image} not found` };
    if (found.signatures.length === 0) return { error: `no signature is associated with ${image}` };
    const roots = tp.trustStores.flatMap((name) => {
        const [type, storeName] = name.split(":");
        return trustStores.filter((s) => s.spec.type === type && s.spec.trustStoreName === storeName).map((s) => String(s.spec.caBundle));
    });
    const enforced = tp.signatureVerification.level === "strict";
    const ok = found.signatures.some(
        (s) =>
            roots.includes(s.root) &&
            (tp.trustedIdentities.includes(s.profileArn) || tp.trustedIdentities.includes("*")) &&
            !(enforced && s.revoked),
    );
    return ok ? found.digest : { error: `signature verification failed for ${image}` };
}

interface ValidateRule {
    name: string;
    exclude?: { any?: Array<{ resources: { namespaces?: string[] } }> };
    validate?: {
        failureAction: "Enforce" | "Audit";
        failureActionOverrides?: Array<{ action: "Enforce" | "Audit"; namespaces: string[] }>;
        foreach?: Array<{ list: string; deny: { conditions: { all?: Condition[]; any?: Condition[] } } }>;
    };
}

/**
 * A deny condition as Kyverno evaluates it for one element: `{{ element.image }}` against wildcard
 * patterns (AnyIn/AnyNotIn), or a JMESPath `starts_with(element.image, '<prefix>')` compared with Equals
 * (JMESPath's starts_with is case-sensitive, as String.prototype.startsWith).
 */
function denyConditionHolds(c: Condition, element: { image: string }): boolean {
    const call = /^\{\{ starts_with\(element\.image, '([^']*)'\) \}\}$/.exec(c.key);
    if (call && c.operator === "Equals") return element.image.startsWith(call[1]) === c.value;
    return conditionHolds(c, element);
}

/**
 * The validate rules of a policy over a pod (Kyverno's validating webhook, which sees the pod as the
 * mutating webhook left it): the messages of the rules that deny it and are enforced in its namespace.
 */
export function enforcedDenials(pod: PodLike, policy: KubernetesObject): string[] {
    const denials: string[] = [];
    for (const rule of (policy.spec.rules as ValidateRule[]) ?? []) {
        if (!rule.validate || rule.exclude?.any?.some((f) => f.resources.namespaces?.includes(pod.namespace))) continue;
        const override = rule.validate.failureActionOverrides?.find((o) => o.namespaces.includes(pod.namespace));
        if ((override?.action ?? rule.validate.failureAction) !== "Enforce") continue;
        for (const each of rule.validate.foreach ?? []) {
            const { selected } = selectContainers(each.list, pod.spec);
            for (const c of selected) {
                const { all, any } = each.deny.conditions;
                const denied = (all ?? []).every((x) => denyConditionHolds(x, c)) && (!any || any.some((x) => denyConditionHolds(x, c)));
                if (denied) denials.push(`${rule.name}: ${c.image}`);
            }
        }
    }
    return denials;
}

/** Both webhooks: the signed-images policy's mutation (and verification), then the validate policies on the result. */
export function decideBoth(
    pod: PodLike,
    signed: KubernetesObject,
    validating: readonly KubernetesObject[],
    trustPolicies: readonly KubernetesObject[],
    trustStores: readonly KubernetesObject[],
    registry: Readonly<Record<string, RegistryImage>>,
): Decision {
    const mutated = decide(pod, signed, trustPolicies, trustStores, registry);
    if (!mutated.admitted) return mutated;
    const lists = Object.keys(pod.spec) as Array<keyof PodLike["spec"]>;
    let at = 0;
    const spec = Object.fromEntries(
        lists.map((list) => [list, (pod.spec[list] ?? []).map((c) => ({ ...c, image: mutated.images[at++] }))]),
    ) as PodLike["spec"];
    const denials = validating.flatMap((p) => enforcedDenials({ namespace: pod.namespace, spec }, p));
    return denials.length > 0 ? { admitted: false, reason: `denied: ${denials.join("; ")}` } : mutated;
}
