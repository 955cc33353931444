/** ABAC rules: broad secret and key grants carry the tag condition, session tags are constrained, ABAC tags are not self-service. */
import { conditionEntries, lowerCaseIn, NormalizedStatement, parseDocument, statementLabel, wildcardGrants } from "./lib/iam-document";
import { lacksResourceLevelPermissions } from "./lib/iam-facts";
import { anyResourceIsEverything } from "./lib/iam-scope";
import { starPattern } from "./lib/glob";
import { isKubernetesKind, NO_FINDINGS, resourcePolicy, ResourceRule, ResourceView } from "./lib/rule";
import { PackConfig } from "./config";
import { hasAbacCondition, IdentityDocument, IDENTITY_POLICY_TYPES, identityDocuments } from "./iam";

const BROAD_SERVICES = ["secretsmanager:", "kms:"];

/** A rule's test of one statement (module functions: no closure per resource). */
type StatementVisitor = (
    s: NormalizedStatement,
    i: number,
    doc: IdentityDocument,
    r: ResourceView,
    config: PackConfig,
) => readonly string[] | undefined;

/**
 * The findings `visit` returns for each statement of a resource's identity policies, in order; the shared empty list
 * when there are none (most resources).
 */
function eachStatement(r: ResourceView, visit: StatementVisitor, config: PackConfig): readonly string[] {
    let found: string[] | undefined;
    // Indexed loops: a `for…of` over the shared (frozen) lists allocated an iterator and a result per step.
    const docs = identityDocuments(r);
    for (let d = 0; d < docs.length; d++) {
        const doc = docs[d];
        for (let i = 0; i < doc.statements.length; i++) {
            const findings = visit(doc.statements[i], i, doc, r, config);
            if (findings !== undefined && findings.length > 0) {
                (found ??= []).push(...findings);
            }
        }
    }
    return found ?? NO_FINDINGS;
}

function isBroadGrant(action: string): boolean {
    const lower = action.toLowerCase();
    return BROAD_SERVICES.some((svc) => lower.startsWith(svc)) && (action.includes("*") || !lacksResourceLevelPermissions(action));
}

const abacGrant: StatementVisitor = (s, i, doc, r, config) => {
    if (s.effect !== "Allow" || !anyResourceIsEverything(s.resources)) {
        return undefined;
    }
    if (!s.actions.some(isBroadGrant) || hasAbacCondition(s, config.abacTagKeys)) {
        return undefined;
    }
    const broad = s.actions.filter(isBroadGrant);
    const keys = config.abacTagKeys.map((k) => `aws:ResourceTag/${k} = \${aws:PrincipalTag/...}`).join(" and ");
    return [
        `${r.type} "${r.name}" ${doc.label} ${statementLabel(s, i)} grants ${broad.join(", ")} on "*" without the ABAC condition: add StringEquals ${keys}.`,
    ];
};

export const abacGrantRule: ResourceRule = {
    name: "iam-policy-require-abac-condition",
    description:
        'A Secrets Manager or KMS grant on "*" (or on every secret or key, secret:* or key/*) carries the resource-tag = principal-tag condition for every ABAC tag key.',
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r, config) => eachStatement(r, abacGrant, config),
};

const POD_IDENTITY = "pods.eks.amazonaws.com";

const TAG_SESSION = "sts:tagsession";
const isTagSession = lowerCaseIn([TAG_SESSION]);

/** An Action value that grants sts:TagSession: by name in any case, or by any wildcard form (`sts:*`, `STS:*`, `sts:Tag*`, `*`). */
const grantsTagSession = (a: string): boolean => isTagSession(a) || wildcardGrants(a, TAG_SESSION);
const allowsTagSession = (s: NormalizedStatement): boolean => s.effect === "Allow" && s.actions.some(grantsTagSession);

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
    check: (r) => {
        const statements = parseDocument(r.props.assumeRolePolicy);
        if (statements === undefined || !statements.some(allowsTagSession)) {
            return NO_FINDINGS;
        }
        return statements.flatMap((s, i) => {
            if (!allowsTagSession(s)) {
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
        });
    },
};

const PRINCIPAL_TAGGING = ["iam:tagrole", "iam:untagrole", "iam:taguser", "iam:untaguser"];
const SECRET_TAGGING = ["secretsmanager:tagresource", "secretsmanager:untagresource"];
const TAGGING = [...PRINCIPAL_TAGGING, ...SECRET_TAGGING];
const isTaggingAction = lowerCaseIn(TAGGING);
/** An Action value that grants a tagging action: by name in any case, or by any wildcard form (`iam:*`, `IAM:Tag*`, `*`). */
const changesTags = (a: string): boolean => isTaggingAction(a) || TAGGING.some((action) => wildcardGrants(a, action));

/** `identity.endsWith(`/${pattern}`)`, without building that string for every resource. */
function endsWithSegment(identity: string, pattern: string): boolean {
    const at = identity.length - pattern.length - 1;
    return at >= 0 && identity[at] === "/" && identity.endsWith(pattern);
}

function isAdmin(r: ResourceView, adminRoles: readonly string[]): boolean {
    const identity = String(r.props.role ?? r.props.name ?? r.name);
    for (let i = 0; i < adminRoles.length; i++) {
        const pattern = adminRoles[i];
        if (starPattern(pattern).test(identity) || endsWithSegment(identity, pattern)) {
            return true;
        }
    }
    return false;
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

const abacTagChange: StatementVisitor = (s, i, doc, r, config) => {
    if (s.effect !== "Allow" || !s.actions.some(changesTags) || excludesAbacKeys(s, config.abacTagKeys)) {
        return undefined;
    }
    const tagging = s.actions.filter(changesTags);
    return [
        `${r.type} "${r.name}" ${doc.label} ${statementLabel(s, i)} may change ABAC tags (${tagging.join(", ")}): add ForAllValues:StringNotEquals aws:TagKeys [${config.abacTagKeys.join(", ")}] or list the role in adminRoles.`,
    ];
};

export const abacTagChangeRule: ResourceRule = {
    name: "iam-policy-deny-abac-tag-changes",
    description: "Only admin roles may change ABAC tags on principals or tag and untag secrets' ABAC keys.",
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r, config) => {
        if (isAdmin(r, config.adminRoles)) {
            return NO_FINDINGS;
        }
        return eachStatement(r, abacTagChange, config);
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
            return NO_FINDINGS;
        }
        let problems: string[] | undefined;
        const namespaced = isKubernetesKind(r.type, "SecretStore");
        if (
            namespaced &&
            (aws.sessionTags?.length || aws.sessionTagsPolicy === "Custom" || aws.sessionTagsPolicy === "Simple" || aws.customSessionTags)
        ) {
            (problems ??= []).push(
                `SecretStore "${r.name}" sets session tags in a namespace tenants can edit: use the platform ClusterSecretStore.`,
            );
        }
        const custom = Object.keys(aws.customSessionTags ?? {});
        const reserved = custom.filter((k) => ESO_RESERVED_TAGS.includes(k));
        if (reserved.length > 0) {
            (problems ??= []).push(
                `${r.type.split(":").pop()} "${r.name}" overrides ESO's tags ${reserved.join(", ")} in customSessionTags: remove them.`,
            );
        }
        return problems ?? NO_FINDINGS;
    },
};

export const abacRules = [abacGrantRule, tagSessionRule, abacTagChangeRule, secretStoreRule];
export const abacPolicies = abacRules.map(resourcePolicy);
