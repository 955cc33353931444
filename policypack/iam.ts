/** IAM rules: no admin, no wildcard actions, `*` resources only where IAM allows nothing else, scoped PassRole and trust. */
import { conditionEntries, lowerCaseIn, NormalizedStatement, parseDocument, statementLabel, wildcardGrants } from "./lib/iam-document";
import { actionFacts, conditionKeyInContext, lacksResourceLevelPermissions, resourceTypesNamedBy } from "./lib/iam-facts";
import { coversEveryResource, coversEveryRole, hasLimitingCondition } from "./lib/iam-scope";
import { NO_FINDINGS, resourcePolicy, ResourceRule, ResourceView } from "./lib/rule";
import { PackConfig } from "./config";

/** One identity policy of a resource, with its label for messages. Shared: read-only. */
export interface IdentityDocument {
    readonly label: string;
    readonly statements: readonly NormalizedStatement[];
}

const NO_DOCUMENTS: readonly IdentityDocument[] = Object.freeze([]);

/**
 * The list of a resource's one `policy` document, per parsed document: parseDocument hands every rule the same
 * statements for the same JSON text, so the rules of a resource (and resources with the same document) share one list.
 */
const policyDocuments = new WeakMap<readonly NormalizedStatement[], readonly IdentityDocument[]>();

/** Identity policies a resource carries, each with a label for messages. Shared: read-only. */
export function identityDocuments(r: ResourceView): readonly IdentityDocument[] {
    if (r.type === "aws:iam/role:Role") {
        const inline: unknown = r.props.inlinePolicies;
        if (!Array.isArray(inline) || inline.length === 0) {
            return NO_DOCUMENTS;
        }
        const docs: IdentityDocument[] = [];
        inline.forEach((p: { name?: string; policy?: unknown }, i: number) => {
            // The name is read before the policy, as the label was written before the policy was parsed: during preview
            // an unknown name then stops the rule (the host's "can't run" advisory, naming `.inlinePolicies.<i>.name`)
            // exactly as before, also when the policy is unknown too or is no document.
            const name = p.name;
            const statements = parseDocument(p.policy);
            if (statements) {
                docs.push({ label: `inline policy "${name ?? i}"`, statements });
            }
        });
        return docs;
    }
    const statements = parseDocument(r.props.policy);
    if (!statements) {
        return NO_DOCUMENTS;
    }
    let docs = policyDocuments.get(statements);
    if (docs === undefined) {
        docs = Object.freeze([{ label: "policy", statements }]);
        policyDocuments.set(statements, docs);
    }
    return docs;
}

export const IDENTITY_POLICY_TYPES = [
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
];
const IDENTITY_POLICY_TYPE_SET: ReadonlySet<string> = new Set(IDENTITY_POLICY_TYPES);
export const RESOURCE_POLICY_TYPES = [
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:kms/key:Key",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:sns/topicPolicy:TopicPolicy",
];

/** A rule's test of one Allow statement: its findings, each naming the statement with `where()`. */
type AllowVisitor<C = undefined> = (s: NormalizedStatement, where: () => string, context: C) => readonly string[];

/**
 * The statement `eachAllow` is visiting. Module state rather than a closure per call: the visitors are module
 * functions and `where` one function, so a resource with no finding allocates nothing for them. Checks run one at a
 * time and no visitor starts another `eachAllow`, so the state is the visited statement's while a visitor runs.
 */
const visiting: { r?: ResourceView; label: string; statement?: NormalizedStatement; index: number } = { label: "", index: 0 };

/** Names the statement being visited, for a message: called only when there is one to write. */
function where(): string {
    const { r, label, statement, index } = visiting;
    return `${r?.type} "${r?.name}" ${label} ${statement ? statementLabel(statement, index) : ""}`;
}

/** What `visit` finds in each Allow statement of a resource's identity policies, in order. */
function eachAllow<C>(r: ResourceView, visit: AllowVisitor<C>, context: C): readonly string[] {
    const docs = identityDocuments(r);
    let found: string[] | undefined;
    for (let d = 0; d < docs.length; d++) {
        const doc = docs[d];
        for (let index = 0; index < doc.statements.length; index++) {
            const statement = doc.statements[index];
            if (statement.effect === "Allow") {
                visiting.r = r;
                visiting.label = doc.label;
                visiting.statement = statement;
                visiting.index = index;
                const findings = visit(statement, where, context);
                if (findings.length > 0) {
                    (found ??= []).push(...findings);
                }
            }
        }
    }
    visiting.r = undefined;
    visiting.statement = undefined;
    return found ?? NO_FINDINGS;
}

const ADMIN_POLICIES = /:policy\/(AdministratorAccess|IAMFullAccess|PowerUserAccess)$/;

/** Resources that attach managed policies, with the input naming them (one ARN or a list). */
const ATTACHMENT_INPUTS: Record<string, string> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/role:Role": "managedPolicyArns",
};

/** The admin policies a resource attaches (of its managed policies, by ARN). */
function attachedAdminArns(r: ResourceView): readonly string[] {
    const input = ATTACHMENT_INPUTS[r.type];
    const value: unknown = input === undefined ? undefined : r.props[input];
    if (typeof value === "string") {
        return ADMIN_POLICIES.test(value) ? [value] : NO_FINDINGS;
    }
    let admin: string[] | undefined;
    if (Array.isArray(value)) {
        for (const item of value) {
            const arn = String(item);
            if (ADMIN_POLICIES.test(arn)) {
                (admin ??= []).push(arn);
            }
        }
    }
    return admin ?? NO_FINDINGS;
}

const isIdentityPolicyType = (type: string): boolean => IDENTITY_POLICY_TYPE_SET.has(type);
const isEveryAction = (a: string): boolean => a === "*" || a === "*:*";
const allowsEveryAction: AllowVisitor = (s, where) =>
    s.actions.some(isEveryAction) ? [`${where()} allows every action ("*"): list the actions it needs.`] : NO_FINDINGS;

export const adminRule: ResourceRule = {
    name: "iam-policy-deny-admin-access",
    description:
        "No identity gets administrator access: no Allow of * or *:*, and no AdministratorAccess, IAMFullAccess or PowerUserAccess attached by any path (attachments, exclusive attachments, a role's managedPolicyArns).",
    enforcementLevel: "mandatory",
    types: [...new Set([...IDENTITY_POLICY_TYPES, ...Object.keys(ATTACHMENT_INPUTS)])],
    check: (r) => {
        const attached = attachedAdminArns(r);
        const allowed = isIdentityPolicyType(r.type) ? eachAllow(r, allowsEveryAction, undefined) : NO_FINDINGS;
        if (attached.length === 0) {
            return allowed;
        }
        return [
            ...attached.map((arn) => `${r.type} "${r.name}" attaches ${arn}: grant the specific actions the role needs instead.`),
            ...allowed,
        ];
    },
};

const wildcardActionsAllow: AllowVisitor = (s, where) => {
    let found: string[] | undefined;
    for (const a of s.actions) {
        if (a !== "*" && a.includes("*")) {
            (found ??= []).push(`${where()} allows the wildcard action "${a}": list the actions by name.`);
        }
    }
    for (const a of s.actions) {
        if (!a.includes("*") && actionFacts(a) === undefined) {
            (found ??= []).push(`${where()} allows "${a}", which is not an IAM action: fix the name.`);
        }
    }
    return found ?? NO_FINDINGS;
};

export const wildcardActionsRule: ResourceRule = {
    name: "iam-policy-deny-wildcard-actions",
    description: "Identity policies list actions by name: no service:* and no prefix wildcards, and no unknown action names.",
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r) => eachAllow(r, wildcardActionsAllow, undefined),
};

/** A statement is under ABAC when it compares a resource tag with a principal tag. */
export function hasAbacCondition(s: NormalizedStatement, abacKeys: readonly string[]): boolean {
    const entries = conditionEntries(s);
    if (entries.length === 0) {
        // No condition (most statements): only an empty key list is met.
        return abacKeys.length === 0;
    }
    return abacKeys.every((key) =>
        entries.some(
            (e) =>
                e.operator.toLowerCase().startsWith("stringequals") &&
                (e.key === `aws:resourcetag/${key.toLowerCase()}` || e.key === `secretsmanager:resourcetag/${key.toLowerCase()}`) &&
                e.values.some((v) => /^\$\{aws:PrincipalTag\/[^}]+\}$/.test(v)),
        ),
    );
}

/**
 * A condition that pins the resource scopes a `*` (or type-wide ARN) resource as well as an ARN would:
 * its identifier or its tag (`aws:ResourceTag/…`), the tag a create must put on the new resource
 * (`aws:RequestTag/…`: the call can only make a resource carrying it), or, for tagging actions, the
 * create call the tags come with (`ec2:CreateAction`, `elasticloadbalancing:CreateAction`). Compared by
 * equality with literal values; a wildcard, negation or IfExists pins nothing.
 *
 * It pins `action` only when its key is in the action's request context for a resource type each type-wide
 * resource names (`conditionKeyInContext`): IAM evaluates an equality on an absent key as false, so a
 * condition on a key the call does not carry (`ec2:Subnet` on `ec2:CreateNetworkInterface` for the new
 * `network-interface`, `ec2:Vpc` on `ec2:CreateSecurityGroup` for the new `security-group`) pins nothing: the
 * statement never matches and the call is denied (IAM User Guide, "Condition element": "If the key that you
 * specify in a policy condition is not present in the request context, the values do not match").
 */
export function pinsResourceByCondition(s: NormalizedStatement, action: string): boolean {
    const everything = s.resources.filter(coversEveryResource);
    return conditionEntries(s).some(
        (e) =>
            /^(stringequals|arnequals|arnlike)$/.test(e.operator.toLowerCase()) &&
            e.values.length > 0 &&
            (e.key.endsWith(":resourceidentifier") || /(^|:)(resourcetag|requesttag)\//.test(e.key) || e.key.endsWith(":createaction")
                ? !e.values.some((v) => /^[*?]+$/.test(v))
                : NETWORK_KEYS.has(e.key) && e.values.every(namesOneNetwork)) &&
            everything.every((resource) => keyInContextOf(action, resource, e.key)),
    );
}

/** True when `key` is in the context of `action` on some resource type `resource` names (or that cannot be judged). */
function keyInContextOf(action: string, resource: string, key: string): boolean {
    const types = resourceTypesNamedBy(action, resource);
    return types === undefined || types.length === 0 || types.some((type) => conditionKeyInContext(action, type, key) !== false);
}

/**
 * EC2's condition keys for the subnet or VPC a network interface or security group is in (Service Authorization
 * Reference, Amazon EC2: `ec2:Subnet`, `ec2:Vpc`, valued with the subnet's or VPC's ARN): a statement limited to
 * named subnets or VPCs reaches only the interfaces and groups in them, such as the ones CodeBuild creates for
 * each build, which cannot be named in advance.
 */
const NETWORK_KEYS = new Set(["ec2:subnet", "ec2:vpc"]);
const namesOneNetwork = (v: string): boolean => /^arn:[^:*?]+:ec2:[^:*?]+:\d{12}:(subnet|vpc)\/[^*?/]+$/.test(v);

/** The resource-type word of an ARN's resource part (`subnet/subnet-0abc` is `subnet`), and its service. */
function arnType(arn: string): { service: string; type: string } | undefined {
    const parts = arn.split(":");
    return parts.length < 6 || parts[0] !== "arn" ? undefined : { service: parts[2], type: parts.slice(5).join(":").split(/[/:]/)[0] };
}

/**
 * True when the type-wide ARNs are all of the resource `action` creates (`Create<Type>`: ec2:CreateNetworkInterface
 * and `network-interface/*`; the new resource has no name yet) and the action also requires another resource type
 * (Service Authorization Reference, the action's "required" resource types: CreateNetworkInterface requires its
 * subnet) that the statement names literally: a call on any other such resource is denied, so the new resources
 * can only be made in the named ones.
 */
function pinnedByRequiredResource(action: string, resources: readonly string[], everything: readonly string[]): boolean {
    const facts = actionFacts(action);
    const service = action.toLowerCase().split(":")[0];
    const wide = new Set(everything.map((r) => arnType(r)?.type));
    if (!facts || [...wide].some((type) => type === undefined || facts.name.toLowerCase() !== `create${type.replace(/-/g, "")}`)) {
        return false;
    }
    return facts.resourceTypes.some(
        (t) =>
            t.required === true &&
            !wide.has(t.name) &&
            resources.some((r) => {
                const at = arnType(r);
                return at?.service === service && at.type === t.name && !/[*?]/.test(r);
            }),
    );
}

const starResourceAllow: AllowVisitor<PackConfig> = (s, where, config) => {
    if (!s.resources.some(coversEveryResource) || hasAbacCondition(s, config.abacTagKeys)) {
        return NO_FINDINGS;
    }
    // Listed once an action needs them (most actions on "*" are ones IAM cannot scope, answered before).
    let everything: string[] | undefined;
    let scopable: string[] | undefined;
    for (const a of s.actions) {
        if (
            !a.includes("*") &&
            actionFacts(a) !== undefined &&
            !lacksResourceLevelPermissions(a) &&
            !pinsResourceByCondition(s, a) &&
            !pinnedByRequiredResource(a, s.resources, (everything ??= s.resources.filter(coversEveryResource)))
        ) {
            (scopable ??= []).push(a);
        }
    }
    if (scopable === undefined) {
        return NO_FINDINGS;
    }
    everything ??= s.resources.filter(coversEveryResource);
    const on = everything.includes("*") ? '"*"' : `${everything.join(", ")} (every resource of its type, as good as "*")`;
    return [
        `${where()} grants ${scopable.join(", ")} on ${on}: these actions support resource ARNs; scope them (or add the ABAC tag condition).`,
    ];
};

export const starResourceRule: ResourceRule = {
    name: "iam-policy-restrict-star-resource",
    description:
        'Resource "*" (or an ARN wildcard over every resource of a type, such as secret:* or key/*) only for actions IAM cannot scope to a resource, under a condition pinning the resource, or under the ABAC resource-tag = principal-tag condition.',
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r, config) => eachAllow(r, starResourceAllow, config),
};

/**
 * Operators IAM evaluates as false when the key is not in the request context: all but the negated ones, `…IfExists`,
 * `Null` and `ForAllValues:` (true on an absent key: IAM User Guide, "Condition operators" and "Single-valued vs.
 * multivalued context keys").
 */
function falseOnAbsentKey(operator: string): boolean {
    const op = operator.toLowerCase();
    return op !== "null" && !op.endsWith("ifexists") && !op.startsWith("forallvalues:") && !/^(foranyvalue:)?[a-z]*not/.test(op);
}

const isFalseOnAbsentKey = (e: { operator: string }): boolean => falseOnAbsentKey(e.operator);

const conditionKeyContextAllow: AllowVisitor = (s, where) => {
    const all = conditionEntries(s);
    // No condition IAM evaluates as false on an absent key (most statements have none): nothing to judge.
    if (!all.some(isFalseOnAbsentKey)) {
        return NO_FINDINGS;
    }
    const entries = all.filter(isFalseOnAbsentKey);
    return s.actions
        .filter((a) => !a.includes("*"))
        .flatMap((action) => {
            const types = [...new Set(s.resources.flatMap((resource) => resourceTypesNamedBy(action, resource) ?? []))];
            return entries
                .filter((e) => {
                    const judged = types.map((type) => conditionKeyInContext(action, type, e.key));
                    return judged.length > 0 && judged.every((inContext) => inContext === false);
                })
                .map(
                    (e) =>
                        `${where()}: condition key ${e.key} is not in the request context of ${action} on resource type ${types.join(", ")}: the statement never matches ${action} (IAM denies it unless another statement allows it).`,
                );
        });
};

export const conditionKeyContextRule: ResourceRule = {
    name: "iam-policy-condition-key-in-context",
    description:
        "An Allow's conditions test keys its actions carry: a key that is not in an action's request context for any resource type the statement names (Service Authorization Reference) makes the statement never match that action.",
    enforcementLevel: "advisory",
    types: IDENTITY_POLICY_TYPES,
    check: (r) => eachAllow(r, conditionKeyContextAllow, undefined),
};

/** `found` with the NotAction, NotResource and NotPrincipal findings of `statements` added (an array only once there is one). */
function notElements(
    r: ResourceView,
    label: string,
    statements: readonly NormalizedStatement[],
    found: string[] | undefined,
): string[] | undefined {
    for (let i = 0; i < statements.length; i++) {
        const s = statements[i];
        const allow = s.effect === "Allow";
        if ((allow && (s.notActions.length > 0 || s.notResources.length > 0)) || s.notPrincipal) {
            const where = `${r.type} "${r.name}" ${label} ${statementLabel(s, i)}`;
            found ??= [];
            if (allow && s.notActions.length > 0) {
                found.push(`${where} allows NotAction: list the allowed actions instead.`);
            }
            if (allow && s.notResources.length > 0) {
                found.push(`${where} allows NotResource: list the allowed resources instead.`);
            }
            if (s.notPrincipal) {
                found.push(`${where} uses NotPrincipal: name the principals instead.`);
            }
        }
    }
    return found;
}

export const notElementsRule: ResourceRule = {
    name: "iam-policy-deny-not-elements",
    description: "No Allow with NotAction or NotResource, and no NotPrincipal: they grant everything not listed.",
    enforcementLevel: "mandatory",
    types: [...IDENTITY_POLICY_TYPES, ...RESOURCE_POLICY_TYPES],
    check: (r) => {
        let found: string[] | undefined;
        const docs = identityDocuments(r);
        for (let d = 0; d < docs.length; d++) {
            found = notElements(r, docs[d].label, docs[d].statements, found);
        }
        if (r.type === "aws:iam/role:Role") {
            found = notElements(r, "trust policy", parseDocument(r.props.assumeRolePolicy) ?? NO_STATEMENTS, found);
        }
        return found ?? NO_FINDINGS;
    },
};

/** Actions whose resource is the role they hand over or become: on every role they reach every role's permissions. */
const PASS_ROLE = "iam:passrole";
const ASSUME_ROLE = "sts:assumerole";
const namesRoleUsingAction = lowerCaseIn([PASS_ROLE, ASSUME_ROLE]);
/** An Action value that grants iam:PassRole or sts:AssumeRole: by name in any case, or by any wildcard form (`iam:Pass*`, `sts:*`, `*`). */
const isRoleUsingAction = (a: string): boolean => namesRoleUsingAction(a) || wildcardGrants(a, PASS_ROLE) || wildcardGrants(a, ASSUME_ROLE);
const grants = (a: string, action: string): boolean => a.toLowerCase() === action || wildcardGrants(a, action);

const passRoleAllow: AllowVisitor = (s, where) => {
    if (!s.actions.some(isRoleUsingAction) || !s.resources.some(coversEveryRole)) {
        return NO_FINDINGS;
    }
    const actions = s.actions.filter(isRoleUsingAction);
    const verbs = [
        ...(actions.some((a) => grants(a, PASS_ROLE)) ? ["pass"] : []),
        ...(actions.some((a) => grants(a, ASSUME_ROLE)) ? ["assume"] : []),
    ];
    return [`${where()} allows ${actions.join(", ")} on every role: name the roles (or a name prefix) it may ${verbs.join(" or ")}.`];
};

export const passRoleRule: ResourceRule = {
    name: "iam-policy-scope-pass-role",
    description:
        "iam:PassRole and sts:AssumeRole name the roles they may use; never *, role/* or any other ARN of every role (role/*/*, an account wildcard).",
    enforcementLevel: "mandatory",
    types: IDENTITY_POLICY_TYPES,
    check: (r) => eachAllow(r, passRoleAllow, undefined),
};

const NO_STATEMENTS: readonly NormalizedStatement[] = Object.freeze([]);
const NO_VALUES: readonly string[] = Object.freeze([]);

function trustStatements(r: ResourceView): readonly NormalizedStatement[] {
    return r.type === "aws:iam/role:Role" ? (parseDocument(r.props.assumeRolePolicy) ?? NO_STATEMENTS) : NO_STATEMENTS;
}

const isEksProvider = (principal: string): boolean => principal.includes(":oidc-provider/oidc.eks.");

/** A rule's test of one trust statement (module functions: no closure per resource). */
type TrustVisitor = (s: NormalizedStatement, i: number, r: ResourceView) => readonly string[];

/**
 * The findings `visit` returns for each trust statement, in order (a shared empty list when there are none, as for
 * most roles).
 */
function eachTrustStatement(r: ResourceView, visit: TrustVisitor): readonly string[] {
    const statements = trustStatements(r);
    let found: string[] | undefined;
    for (let i = 0; i < statements.length; i++) {
        const findings = visit(statements[i], i, r);
        if (findings.length > 0) {
            (found ??= []).push(...findings);
        }
    }
    return found ?? NO_FINDINGS;
}

const irsaTrustStatement: TrustVisitor = (s, i, r) => {
    const federated = s.principals.Federated ?? NO_VALUES;
    if (s.effect !== "Allow" || !federated.some(isEksProvider)) {
        return NO_FINDINGS;
    }
    const where = `role "${r.name}" trust ${statementLabel(s, i)}`;
    const equals = Object.entries(s.conditions)
        .filter(([op]) => op === "StringEquals")
        .flatMap(([, block]) => Object.entries(block));
    const sub = equals.find(([k]) => k.endsWith(":sub"));
    const aud = equals.find(([k]) => k.endsWith(":aud"));
    const problems: string[] = [];
    if (!sub || sub[1].length === 0 || sub[1].some((v) => v.includes("*") || !/^system:serviceaccount:[^:]+:[^:]+$/.test(v))) {
        problems.push(`${where} must pin "<issuer>:sub" with StringEquals to system:serviceaccount:<namespace>:<name> (no wildcards).`);
    }
    if (!aud || aud[1].join() !== "sts.amazonaws.com") {
        problems.push(`${where} must pin "<issuer>:aud" with StringEquals to sts.amazonaws.com.`);
    }
    return problems;
};

export const irsaTrustRule: ResourceRule = {
    name: "iam-role-require-scoped-irsa-trust",
    description: "A role trusted by an EKS OIDC provider pins sub to one service account and aud to sts.amazonaws.com.",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    check: (r) => eachTrustStatement(r, irsaTrustStatement),
};

/**
 * Web-identity trust outside EKS. The token's `sub` says which repository (GitHub Actions:
 * `repo:<owner>/<repo>:<context>`), project (GitLab: `project_path:<group>/<project>:ref_type:…:ref:…`)
 * or subject of another issuer may assume the role, and `aud` which audience the token was minted
 * for; without both pinned, any workflow of any repository on that issuer can. Sources: GitHub
 * "About security hardening with OpenID Connect" (docs.github.com, "Example subject claims"), GitLab
 * "OpenID Connect (OIDC) Authentication Using ID Tokens" (docs.gitlab.com, `sub` format), and the
 * peers' rules (Checkov CKV_AWS_358 GitHub org, trivy/KICS "OIDC trust without sub").
 */
const OIDC_PROVIDER = /:oidc-provider\/(.+)$/;
const GITHUB_ISSUER = "token.actions.githubusercontent.com";
const POSITIVE_STRING = /^(stringequals|stringlike)$/;

/** A subject value that pins its repository/project and what runs (branch, tag, environment, pull request). */
function subjectProblem(issuer: string, value: string): string | undefined {
    if (/^[*?]*$/.test(value)) {
        return "any subject";
    }
    if (issuer === GITHUB_ISSUER) {
        const m = /^repo:([^:]*)(?::(.*))?$/.exec(value);
        if (!m) {
            return `"${value}" (not repo:<owner>/<repo>:<context>)`;
        }
        if (/[*?]/.test(m[1]) || !m[1].includes("/")) {
            return `"${value}" (any repository)`;
        }
        // A wildcard before the branch, tag or environment name is chosen (`*`, `*:*`, `ref:refs/heads/*`,
        // `environment:*`) lets every workflow of the repository in; `ref:refs/heads/release-*` pins a name prefix.
        const context = m[2] ?? "";
        return context === "" || /^(ref:(refs\/((heads|tags)\/)?)?|environment:)?[*?]/.test(context)
            ? `"${value}" (any branch, tag, environment or pull request)`
            : undefined;
    }
    if (value.startsWith("project_path:")) {
        const m = /^project_path:([^:]*)(?::(.*))?$/.exec(value);
        if (!m || /[*?]/.test(m[1]) || !m[1].includes("/")) {
            return `"${value}" (any project)`;
        }
        const ref = /(?:^|:)ref:(.*)$/.exec(m[2] ?? "");
        return !ref || /^[*?]*$/.test(ref[1]) ? `"${value}" (any branch or tag)` : undefined;
    }
    // Another issuer: the subject must be more than a wildcard after a short prefix.
    return /^[^*?]{0,3}[*?]/.test(value) ? `"${value}" (a wildcard subject)` : undefined;
}

const oidcTrustStatement: TrustVisitor = (s, i, r) => {
    const federated = s.principals.Federated;
    // Without a federated principal (most roles: a service or account trusts them) there is no issuer to judge.
    if (s.effect !== "Allow" || federated === undefined || federated.length === 0) {
        return NO_FINDINGS;
    }
    const issuers = federated
        .map((p) => OIDC_PROVIDER.exec(p)?.[1])
        .filter((issuer): issuer is string => issuer !== undefined && !issuer.startsWith("oidc.eks."));
    const where = `role "${r.name}" trust ${statementLabel(s, i)}`;
    return issuers.flatMap((issuer) => {
        const entries = conditionEntries(s).filter((e) => POSITIVE_STRING.test(e.operator.toLowerCase()));
        const sub = entries.filter((e) => e.key === `${issuer.toLowerCase()}:sub`);
        const aud = entries.filter((e) => e.key === `${issuer.toLowerCase()}:aud`);
        const problems: string[] = [];
        const subValues = sub.flatMap((e) => e.values);
        if (subValues.length === 0) {
            problems.push(
                `${where} trusts ${issuer} without a "${issuer}:sub" condition: any repository or project on it may assume the role.`,
            );
        } else {
            const loose = subValues.map((v) => subjectProblem(issuer, v)).filter((p): p is string => p !== undefined);
            if (loose.length > 0) {
                problems.push(
                    `${where} lets ${loose.join(", ")} of ${issuer} assume the role: pin "${issuer}:sub" to one repository or project and its branch, tag or environment.`,
                );
            }
        }
        const audValues = aud.flatMap((e) => e.values);
        if (audValues.length === 0 || audValues.some((v) => /[*?]/.test(v))) {
            problems.push(
                `${where} does not pin "${issuer}:aud" with StringEquals to the audience its tokens are minted for (sts.amazonaws.com on GitHub).`,
            );
        }
        return problems;
    });
};

export const oidcTrustRule: ResourceRule = {
    name: "iam-role-require-scoped-oidc-trust",
    description:
        "A role trusted by a non-EKS OIDC provider (GitHub Actions, GitLab, others) pins aud without wildcards and sub to one repository or project and its branch, tag or environment.",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    check: (r) => eachTrustStatement(r, oidcTrustStatement),
};

const publicTrustStatement: TrustVisitor = (s, i, r) => {
    const awsPrincipals = s.principals.AWS;
    const everyone = s.principals["*"];
    // No AWS or "*" principal (a service or federated trust, most roles): nobody to judge.
    if (s.effect !== "Allow" || (awsPrincipals === undefined && everyone === undefined)) {
        return NO_FINDINGS;
    }
    const where = `role "${r.name}" trust ${statementLabel(s, i)}`;
    const aws = [...(awsPrincipals ?? NO_VALUES), ...(everyone ?? NO_VALUES)];
    // A guard counts by its operator and values, not its key: StringLike aws:PrincipalArn arn:aws:iam::*:role/* pins nobody.
    const guarded = hasLimitingCondition(s);
    if (aws.includes("*")) {
        return guarded ? NO_FINDINGS : [`${where} trusts every AWS principal ("*"): name the principals.`];
    }
    const roots = aws.filter((p) => /^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$/.test(p));
    return roots.length > 0 && !guarded
        ? [`${where} trusts ${roots.join(", ")} without a condition: add sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn.`]
        : NO_FINDINGS;
};

export const publicTrustRule: ResourceRule = {
    name: "iam-role-deny-public-trust",
    description:
        "No role is assumable by everyone, and an account-root principal is always guarded (External ID, organisation or principal ARN), judged by operator and value: a negated, IfExists or wildcard condition is no guard.",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    check: (r) => eachTrustStatement(r, publicTrustStatement),
};

export const iamPolicies = [
    adminRule,
    wildcardActionsRule,
    starResourceRule,
    conditionKeyContextRule,
    notElementsRule,
    passRoleRule,
    irsaTrustRule,
    oidcTrustRule,
    publicTrustRule,
].map(resourcePolicy);
export const iamRules = [
    adminRule,
    wildcardActionsRule,
    starResourceRule,
    conditionKeyContextRule,
    notElementsRule,
    passRoleRule,
    irsaTrustRule,
    oidcTrustRule,
    publicTrustRule,
];
export type { PackConfig };
