/** IAM rules: no admin, no wildcard actions, `*` resources only where IAM allows nothing else, scoped PassRole and trust. */
import { conditionEntries, NormalizedStatement, parseDocument, statementLabel } from "./lib/iam-document";
import { actionFacts, lacksResourceLevelPermissions } from "./lib/iam-facts";
import { resourcePolicy, ResourceRule, ResourceView } from "./lib/rule";
import { PackConfig } from "./config";

/** Identity policies a resource carries, each with a label for messages. */
export function identityDocuments(r: ResourceView): Array<{ label: string; statements: NormalizedStatement[] }> {
    const docs: Array<{ label: string; statements: NormalizedStatement[] }> = [];
    if (r.type === "aws:iam/role:Role") {
        const inline: unknown = r.props.inlinePolicies;
        if (Array.isArray(inline)) {
            inline.forEach((p: { name?: string; policy?: unknown }, i: number) =>
                addDocument(docs, `inline policy "${p.name ?? i}"`, p.policy),
            );
        }
    } else {
        addDocument(docs, "policy", r.props.policy);
    }
    return docs;
}

function addDocument(docs: Array<{ label: string; statements: NormalizedStatement[] }>, label: string, value: unknown): void {
    const statements = parseDocument(value);
    if (statements) {
        docs.push({ label, statements });
    }
}

export const IDENTITY_POLICY_TYPES = [
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
];
export const RESOURCE_POLICY_TYPES = [
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:kms/key:Key",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:sns/topicPolicy:TopicPolicy",
];

function eachAllow(r: ResourceView, visit: (s: NormalizedStatement, where: string) => string[]): string[] {
    return identityDocuments(r).flatMap((doc) =>
        doc.statements.flatMap((s, i) =>
            s.effect === "Allow" ? visit(s, `${r.type} "${r.name}" ${doc.label} ${statementLabel(s, i)}`) : [],
        ),
    );
}

const ADMIN_POLICIES = /:policy\/(AdministratorAccess|IAMFullAccess|PowerUserAccess)$/;

export const adminRule: ResourceRule = {
    name: "iam-policy-deny-admin-access",
    description: "No identity gets administrator access: no Allow of * or *:*, no AdministratorAccess, IAMFullAccess or PowerUserAccess.",
    enforcementLevel: "mandatory",
    types: [
        ...IDENTITY_POLICY_TYPES,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    ],
    check: (r) => {
        if (r.type.includes("Attachment")) {
            return ADMIN_POLICIES.test(String(r.props.policyArn ?? ""))
                ? [`${r.type} "${r.name}" attaches ${String(r.props.policyArn)}: grant the specific actions the role needs instead.`]
                : [];
        }
        return eachAllow(r, (s, where) =>
            s.actions.some((a) => a === "*" || a === "*:*") ? [`${where} allows every action ("*"): list the actions it needs.`] : [],
        );
    },
};

export const wildcardActionsRule: ResourceRule = {
    name: "iam-policy-deny-wildcard-actions",
    description: "Identity policies list actions by name: no service:* and no prefix wildcards, and no unknown action names.",
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r) =>
        eachAllow(r, (s, where) => [
            ...s.actions
                .filter((a) => a !== "*" && a.includes("*"))
                .map((a) => `${where} allows the wildcard action "${a}": list the actions by name.`),
            ...s.actions
                .filter((a) => !a.includes("*") && actionFacts(a) === undefined)
                .map((a) => `${where} allows "${a}", which is not an IAM action: fix the name.`),
        ]),
};

/** A statement is under ABAC when it compares a resource tag with a principal tag. */
export function hasAbacCondition(s: NormalizedStatement, abacKeys: readonly string[]): boolean {
    const entries = conditionEntries(s);
    return abacKeys.every((key) =>
        entries.some(
            (e) =>
                e.operator.toLowerCase().startsWith("stringequals") &&
                (e.key === `aws:resourcetag/${key.toLowerCase()}` || e.key === `secretsmanager:resourcetag/${key.toLowerCase()}`) &&
                e.values.some((v) => /^\$\{aws:PrincipalTag\/[^}]+\}$/.test(v)),
        ),
    );
}

/** A condition that pins the resource by identifier or tag scopes a `*` resource as well as an ARN would. */
export function pinsResourceByCondition(s: NormalizedStatement): boolean {
    return conditionEntries(s).some(
        (e) =>
            /^(stringequals|arnequals|arnlike)$/.test(e.operator.toLowerCase()) &&
            (e.key.endsWith(":resourceidentifier") || /(^|:)resourcetag\//.test(e.key)) &&
            !e.values.includes("*"),
    );
}

export const starResourceRule: ResourceRule = {
    name: "iam-policy-restrict-star-resource",
    description:
        'Resource "*" only for actions IAM cannot scope to a resource, under a condition pinning the resource, or under the ABAC resource-tag = principal-tag condition.',
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r, config) =>
        eachAllow(r, (s, where) => {
            if (!s.resources.includes("*") || hasAbacCondition(s, config.abacTagKeys) || pinsResourceByCondition(s)) {
                return [];
            }
            const scopable = s.actions.filter((a) => !a.includes("*") && actionFacts(a) !== undefined && !lacksResourceLevelPermissions(a));
            return scopable.length > 0
                ? [
                      `${where} grants ${scopable.join(", ")} on "*": these actions support resource ARNs; scope them (or add the ABAC tag condition).`,
                  ]
                : [];
        }),
};

export const notElementsRule: ResourceRule = {
    name: "iam-policy-deny-not-elements",
    description: "No Allow with NotAction or NotResource, and no NotPrincipal: they grant everything not listed.",
    enforcementLevel: "mandatory",
    types: [...IDENTITY_POLICY_TYPES, ...RESOURCE_POLICY_TYPES],
    check: (r) => {
        const docs = [
            ...identityDocuments(r),
            ...(r.type === "aws:iam/role:Role"
                ? [{ label: "trust policy", statements: parseDocument(r.props.assumeRolePolicy) ?? [] }]
                : []),
        ];
        return docs.flatMap((doc) =>
            doc.statements.flatMap((s, i) => {
                const where = `${r.type} "${r.name}" ${doc.label} ${statementLabel(s, i)}`;
                return [
                    ...(s.effect === "Allow" && s.notActions.length > 0
                        ? [`${where} allows NotAction: list the allowed actions instead.`]
                        : []),
                    ...(s.effect === "Allow" && s.notResources.length > 0
                        ? [`${where} allows NotResource: list the allowed resources instead.`]
                        : []),
                    ...(s.notPrincipal ? [`${where} uses NotPrincipal: name the principals instead.`] : []),
                ];
            }),
        );
    },
};

export const passRoleRule: ResourceRule = {
    name: "iam-policy-scope-pass-role",
    description: "iam:PassRole names the roles it may pass; never * or every role.",
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r) =>
        eachAllow(r, (s, where) =>
            s.actions.some((a) => a.toLowerCase() === "iam:passrole") && s.resources.some((res) => res === "*" || /:role\/\*$/.test(res))
                ? [`${where} allows iam:PassRole on every role: name the roles (or a name prefix) it may pass.`]
                : [],
        ),
};

function trustStatements(r: ResourceView): NormalizedStatement[] {
    return r.type === "aws:iam/role:Role" ? (parseDocument(r.props.assumeRolePolicy) ?? []) : [];
}

export const irsaTrustRule: ResourceRule = {
    name: "iam-role-require-scoped-irsa-trust",
    description: "A role trusted by an EKS OIDC provider pins sub to one service account and aud to sts.amazonaws.com.",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    check: (r) =>
        trustStatements(r).flatMap((s, i) => {
            const federated = s.principals.Federated ?? [];
            if (s.effect !== "Allow" || !federated.some((p) => p.includes(":oidc-provider/oidc.eks."))) {
                return [];
            }
            const where = `role "${r.name}" trust ${statementLabel(s, i)}`;
            const equals = Object.entries(s.conditions)
                .filter(([op]) => op === "StringEquals")
                .flatMap(([, block]) => Object.entries(block));
            const sub = equals.find(([k]) => k.endsWith(":sub"));
            const aud = equals.find(([k]) => k.endsWith(":aud"));
            const problems: string[] = [];
            if (!sub || sub[1].length === 0 || sub[1].some((v) => v.includes("*") || !/^system:serviceaccount:[^:]+:[^:]+$/.test(v))) {
                problems.push(
                    `${where} must pin "<issuer>:sub" with StringEquals to system:serviceaccount:<namespace>:<name> (no wildcards).`,
                );
            }
            if (!aud || aud[1].join() !== "sts.amazonaws.com") {
                problems.push(`${where} must pin "<issuer>:aud" with StringEquals to sts.amazonaws.com.`);
            }
            return problems;
        }),
};

/** Conditions that make a cross-account or root trust safe: an External ID, an org, or named principals. */
const TRUST_GUARDS = ["sts:externalid", "aws:principalorgid", "aws:principalarn", "aws:sourceaccount", "aws:sourcearn"];

export const publicTrustRule: ResourceRule = {
    name: "iam-role-deny-public-trust",
    description:
        "No role is assumable by everyone, and an account-root principal is always guarded (External ID, organisation or principal ARN).",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    check: (r) =>
        trustStatements(r).flatMap((s, i) => {
            if (s.effect !== "Allow") {
                return [];
            }
            const where = `role "${r.name}" trust ${statementLabel(s, i)}`;
            const aws = [...(s.principals.AWS ?? []), ...(s.principals["*"] ?? [])];
            const guarded = conditionEntries(s).some((e) => TRUST_GUARDS.includes(e.key));
            if (aws.includes("*")) {
                return guarded ? [] : [`${where} trusts every AWS principal ("*"): name the principals.`];
            }
            const roots = aws.filter((p) => /^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$/.test(p));
            return roots.length > 0 && !guarded
                ? [`${where} trusts ${roots.join(", ")} without a condition: add sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn.`]
                : [];
        }),
};

export const iamPolicies = [
    adminRule,
    wildcardActionsRule,
    starResourceRule,
    notElementsRule,
    passRoleRule,
    irsaTrustRule,
    publicTrustRule,
].map(resourcePolicy);
export const iamRules = [adminRule, wildcardActionsRule, starResourceRule, notElementsRule, passRoleRule, irsaTrustRule, publicTrustRule];
export type { PackConfig };
