/** ABAC rules: broad secret and key grants carry the tag condition, session tags are constrained, ABAC tags are not self-service. */
import { conditionEntries, NormalizedStatement, parseDocument, statementLabel } from "./lib/iam-document";
import { lacksResourceLevelPermissions } from "./lib/iam-facts";
import { anyResourceIsEverything } from "./lib/iam-scope";
import { isKubernetesKind, resourcePolicy, ResourceRule, ResourceView } from "./lib/rule";
import { hasAbacCondition, IDENTITY_POLICY_TYPES, identityDocuments } from "./iam";

const BROAD_SERVICES = ["secretsmanager:", "kms:"];

export const abacGrantRule: ResourceRule = {
    name: "iam-policy-require-abac-condition",
    description:
        'A Secrets Manager or KMS grant on "*" (or on every secret or key, secret:* or key/*) carries the resource-tag = principal-tag condition for every ABAC tag key.',
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r, config) =>
        identityDocuments(r).flatMap((doc) =>
            doc.statements.flatMap((s, i) => {
                if (s.effect !== "Allow" || !anyResourceIsEverything(s.resources)) {
                    return [];
                }
                const broad = s.actions.filter(
                    (a) =>
                        BROAD_SERVICES.some((svc) => a.toLowerCase().startsWith(svc)) &&
                        (a.includes("*") || !lacksResourceLevelPermissions(a)),
                );
                if (broad.length === 0 || hasAbacCondition(s, config.abacTagKeys)) {
                    return [];
                }
                const keys = config.abacTagKeys.map((k) => `aws:ResourceTag/${k} = \${aws:PrincipalTag/...}`).join(" and ");
                return [
                    `${r.type} "${r.name}" ${doc.label} ${statementLabel(s, i)} grants ${broad.join(", ")} on "*" without the ABAC condition: add StringEquals ${keys}.`,
                ];
            }),
        ),
};

const POD_IDENTITY = "pods.eks.amazonaws.com";

function constrainsTagSession(s: NormalizedStatement): { keys: boolean; values: boolean } {
    const entries = conditionEntries(s);
    return {
        keys: entries.some((e) => e.key === "aws:tagkeys" && e.operator.toLowerCase().startsWith("forallvalues:string")),
        values: entries.some((e) => e.key.startsWith("aws:requesttag/")),
    };
}

export const tagSessionRule: ResourceRule = {
    name: "iam-role-constrain-tag-session",
    description:
        "A trust policy that allows sts:TagSession limits the tag keys (ForAllValues aws:TagKeys) and values (aws:RequestTag), unless the principal is EKS Pod Identity.",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    check: (r) =>
        (parseDocument(r.props.assumeRolePolicy) ?? []).flatMap((s, i) => {
            if (s.effect !== "Allow" || !s.actions.some((a) => a.toLowerCase() === "sts:tagsession" || a === "sts:*" || a === "*")) {
                return [];
            }
            if ((s.principals.Service ?? []).includes(POD_IDENTITY)) {
                return [];
            }
            const { keys, values } = constrainsTagSession(s);
            const where = `role "${r.name}" trust ${statementLabel(s, i)}`;
            return [
                ...(keys
                    ? []
                    : [
                          `${where} allows sts:TagSession with any tag keys: add ForAllValues:StringEquals aws:TagKeys with the expected keys.`,
                      ]),
                ...(values
                    ? []
                    : [`${where} allows sts:TagSession with any tag values: constrain aws:RequestTag/<key> for the expected keys.`]),
            ];
        }),
};

const PRINCIPAL_TAGGING = ["iam:tagrole", "iam:untagrole", "iam:taguser", "iam:untaguser"];
const SECRET_TAGGING = ["secretsmanager:tagresource", "secretsmanager:untagresource"];

// Compiled once per pattern: the check runs for every identity policy.
const adminPatterns = new Map<string, RegExp>();
function adminPattern(pattern: string): RegExp {
    let compiled = adminPatterns.get(pattern);
    if (compiled === undefined) {
        compiled = new RegExp(
            `^${pattern
                .split("*")
                .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
                .join(".*")}$`,
        );
        adminPatterns.set(pattern, compiled);
    }
    return compiled;
}

function isAdmin(r: ResourceView, adminRoles: readonly string[]): boolean {
    const identity = String(r.props.role ?? r.props.name ?? r.name);
    return adminRoles.some((pattern) => adminPattern(pattern).test(identity) || identity.endsWith(`/${pattern}`));
}

/** The statement excludes the ABAC keys from the tags it may change. */
function excludesAbacKeys(s: NormalizedStatement, abacKeys: readonly string[]): boolean {
    return conditionEntries(s).some(
        (e) =>
            e.key === "aws:tagkeys" &&
            e.operator.toLowerCase() === "forallvalues:stringnotequals" &&
            abacKeys.every((k) => e.values.includes(k)),
    );
}

export const abacTagChangeRule: ResourceRule = {
    name: "iam-policy-deny-abac-tag-changes",
    description: "Only admin roles may change ABAC tags on principals or tag and untag secrets' ABAC keys.",
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r, config) => {
        if (isAdmin(r, config.adminRoles)) {
            return [];
        }
        return identityDocuments(r).flatMap((doc) =>
            doc.statements.flatMap((s, i) => {
                const tagging = s.actions.filter(
                    (a) => [...PRINCIPAL_TAGGING, ...SECRET_TAGGING].includes(a.toLowerCase()) || a === "iam:*" || a === "secretsmanager:*",
                );
                if (s.effect !== "Allow" || tagging.length === 0 || excludesAbacKeys(s, config.abacTagKeys)) {
                    return [];
                }
                return [
                    `${r.type} "${r.name}" ${doc.label} ${statementLabel(s, i)} may change ABAC tags (${tagging.join(", ")}): add ForAllValues:StringNotEquals aws:TagKeys [${config.abacTagKeys.join(", ")}] or list the role in adminRoles.`,
                ];
            }),
        );
    },
};

const ESO_RESERVED_TAGS = ["esoNamespace", "esoStoreName", "esoStoreKind"];

export const secretStoreRule: ResourceRule = {
    name: "externalsecrets-store-deny-tenant-session-tags",
    description:
        "Session tags come only from the platform's ClusterSecretStore: namespaced SecretStores set none, and custom tags never override ESO's namespace tags.",
    enforcementLevel: "mandatory",
    types: (type) => isKubernetesKind(type, "SecretStore") || isKubernetesKind(type, "ClusterSecretStore"),
    check: (r) => {
        const aws = r.props.spec?.provider?.aws;
        if (!aws) {
            return [];
        }
        const problems: string[] = [];
        const namespaced = isKubernetesKind(r.type, "SecretStore");
        if (
            namespaced &&
            (aws.sessionTags?.length || aws.sessionTagsPolicy === "Custom" || aws.sessionTagsPolicy === "Simple" || aws.customSessionTags)
        ) {
            problems.push(
                `SecretStore "${r.name}" sets session tags in a namespace tenants can edit: use the platform ClusterSecretStore.`,
            );
        }
        const custom = Object.keys(aws.customSessionTags ?? {});
        const reserved = custom.filter((k) => ESO_RESERVED_TAGS.includes(k));
        if (reserved.length > 0) {
            problems.push(
                `${r.type.split(":").pop()} "${r.name}" overrides ESO's tags ${reserved.join(", ")} in customSessionTags: remove them.`,
            );
        }
        return problems;
    },
};

export const abacRules = [abacGrantRule, tagSessionRule, abacTagChangeRule, secretStoreRule];
export const abacPolicies = abacRules.map(resourcePolicy);
