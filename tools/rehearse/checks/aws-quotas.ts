/**
 * AWS quotas and formats that reject a create, counted as each service counts them, with the numbers
 * from `policypack/lib/aws-quotas.ts` (one source of truth with the policy pack and the foundation):
 * IAM inline aggregates per role/user/group (each `Put…Policy` that would push the aggregate over is
 * refused with LimitExceeded), managed and trust policy sizes, managed policies per role, IAM names and
 * paths, tags, KMS key policy size, SQS/SNS/S3/EKS names, and rules per security group.
 */
import type { PlannedResource } from "../../offline/plan";
import {
    AWS_TAG_RULES,
    IAM_COUNTS,
    IAM_NAMES,
    IAM_POLICY_SIZE,
    IAM_QUOTAS_SOURCE,
    iamPolicySize,
    KMS_KEY_POLICY_MAX_BYTES,
    KMS_QUOTAS_SOURCE,
    s3BucketNameProblems,
    SERVICE_NAME_RULES,
    VPC_QUOTAS,
} from "../../../policypack/lib/aws-quotas";
import { SECRET_MARKER, UNKNOWN_MARKER } from "../../offline/wire";
import type { RehearsalCheck, RehearsalContext, RehearsalFinding } from "../model";
import { identifiersOf } from "../plan-view";

const NAME = "aws-quotas";

type Emit = (r: PlannedResource, why: string, source: string) => void;

const known = (v: unknown): v is string => typeof v === "string" && v !== UNKNOWN_MARKER && v !== SECRET_MARKER;

/** Inline policies of roles, users and groups: each put that would take the entity's aggregate past its quota fails. */
function inlineAggregates(context: RehearsalContext, emit: Emit): void {
    const kinds = [
        {
            policyType: "aws:iam/rolePolicy:RolePolicy",
            key: "role",
            entityType: "aws:iam/role:Role",
            limit: IAM_POLICY_SIZE.roleInlineAggregate,
            what: "role",
        },
        {
            policyType: "aws:iam/userPolicy:UserPolicy",
            key: "user",
            entityType: "aws:iam/user:User",
            limit: IAM_POLICY_SIZE.userInlineAggregate,
            what: "user",
        },
        {
            policyType: "aws:iam/groupPolicy:GroupPolicy",
            key: "group",
            entityType: "aws:iam/group:Group",
            limit: IAM_POLICY_SIZE.groupInlineAggregate,
            what: "group",
        },
    ];
    for (const kind of kinds) {
        // The entity's name as the policies give it (`role` is the role's name), with inline policies given on the entity itself first.
        const stored = new Map<string, number>();
        const entityName = (r: PlannedResource): string => identifiersOf(r).name ?? identifiersOf(r).id ?? r.name;
        for (const step of context.steps) {
            const r = step.resource;
            if (r.type === kind.entityType && Array.isArray(r.inputs.inlinePolicies)) {
                let total = 0;
                for (const p of r.inputs.inlinePolicies as Array<{ name?: string; policy?: unknown }>)
                    total += iamPolicySize(p.policy) ?? 0;
                stored.set(entityName(r), total);
                if (total > kind.limit) {
                    emit(
                        r,
                        `its inline policies total ${total} characters (IAM counts without white space), over the ${kind.what} aggregate quota of ${kind.limit}: ${kind.what === "role" ? "CreateRole/PutRolePolicy" : "Put…Policy"} fails with LimitExceeded (${IAM_QUOTAS_SOURCE})`,
                        IAM_QUOTAS_SOURCE,
                    );
                }
            }
            if (r.type !== kind.policyType) continue;
            const owner = r.inputs[kind.key];
            const size = iamPolicySize(r.inputs.policy);
            if (!known(owner) || size === undefined) continue;
            const before = stored.get(owner) ?? 0;
            if (before + size > kind.limit) {
                const all = context.steps
                    .filter((s) => s.resource.type === kind.policyType && s.resource.inputs[kind.key] === owner)
                    .reduce((sum, s) => sum + (iamPolicySize(s.resource.inputs.policy) ?? 0), 0);
                emit(
                    r,
                    `Put${kind.what === "role" ? "Role" : kind.what === "user" ? "User" : "Group"}Policy of ${size} characters on ${kind.what} ${owner}, which holds ${before} already: ` +
                        `the ${kind.what}'s inline policies total ${all} characters (IAM counts without white space), over the aggregate quota of ${kind.limit} (not adjustable): ` +
                        `LimitExceeded. Move statements into managed policies (${IAM_QUOTAS_SOURCE})`,
                    IAM_QUOTAS_SOURCE,
                );
            } else {
                stored.set(owner, before + size);
            }
        }
    }
}

function iamDocuments(r: PlannedResource, emit: Emit): void {
    if (r.type === "aws:iam/policy:Policy") {
        const size = iamPolicySize(r.inputs.policy);
        if (size !== undefined && size > IAM_POLICY_SIZE.managedPolicy) {
            emit(
                r,
                `CreatePolicy: the document is ${size} characters (without white space), over the managed policy quota of ${IAM_POLICY_SIZE.managedPolicy}: LimitExceeded (${IAM_QUOTAS_SOURCE})`,
                IAM_QUOTAS_SOURCE,
            );
        }
    }
    if (r.type === "aws:iam/role:Role") {
        const size = iamPolicySize(r.inputs.assumeRolePolicy);
        if (size !== undefined && size > IAM_POLICY_SIZE.roleTrustPolicy) {
            emit(
                r,
                `CreateRole: the trust policy is ${size} characters (without white space), over the default quota of ${IAM_POLICY_SIZE.roleTrustPolicy} (adjustable to 4,096 through Service Quotas): LimitExceeded (${IAM_QUOTAS_SOURCE})`,
                IAM_QUOTAS_SOURCE,
            );
        }
    }
}

function managedPerRole(context: RehearsalContext, emit: Emit): void {
    const attached = new Map<string, number>();
    for (const step of context.steps) {
        const r = step.resource;
        if (r.type === "aws:iam/role:Role" && Array.isArray(r.inputs.managedPolicyArns)) {
            attached.set(identifiersOf(r).name ?? r.name, r.inputs.managedPolicyArns.length);
        }
        if (r.type !== "aws:iam/rolePolicyAttachment:RolePolicyAttachment" || !known(r.inputs.role)) continue;
        const count = (attached.get(r.inputs.role) ?? 0) + 1;
        attached.set(r.inputs.role, count);
        if (count > IAM_COUNTS.managedPoliciesPerRole) {
            emit(
                r,
                `AttachRolePolicy: role ${r.inputs.role} would have ${count} managed policies, over the default quota of ${IAM_COUNTS.managedPoliciesPerRole} per role (adjustable to 20): LimitExceeded (${IAM_QUOTAS_SOURCE})`,
                IAM_QUOTAS_SOURCE,
            );
        }
    }
}

const IAM_NAME_RULES: ReadonlyArray<readonly [string, { max: number; pattern: RegExp }, string]> = [
    ["aws:iam/role:Role", IAM_NAMES.roleName, "CreateRole RoleName"],
    ["aws:iam/user:User", IAM_NAMES.userName, "CreateUser UserName"],
    ["aws:iam/group:Group", IAM_NAMES.groupName, "CreateGroup GroupName"],
    ["aws:iam/policy:Policy", IAM_NAMES.policyName, "CreatePolicy PolicyName"],
    ["aws:iam/instanceProfile:InstanceProfile", IAM_NAMES.instanceProfileName, "CreateInstanceProfile InstanceProfileName"],
];

function iamNames(r: PlannedResource, emit: Emit): void {
    const rule = IAM_NAME_RULES.find(([type]) => type === r.type);
    if (!rule) return;
    const [, limits, what] = rule;
    const { name, namePrefix, path } = r.inputs;
    if (known(name) && (name.length > limits.max || !limits.pattern.test(name))) {
        emit(
            r,
            `${what} ${JSON.stringify(name)} is ${name.length} characters; IAM allows 1-${limits.max} of [A-Za-z0-9+=,.@_-]: ValidationError (${IAM_QUOTAS_SOURCE})`,
            IAM_QUOTAS_SOURCE,
        );
    }
    if (known(namePrefix)) {
        const max = limits.max - IAM_NAMES.namePrefixSuffixLength;
        if (namePrefix.length > max || !limits.pattern.test(namePrefix)) {
            emit(
                r,
                `namePrefix ${JSON.stringify(namePrefix)} is ${namePrefix.length} characters; the provider appends ${IAM_NAMES.namePrefixSuffixLength}, so ${what} allows at most ${max}: ValidationError (${IAM_QUOTAS_SOURCE})`,
                IAM_QUOTAS_SOURCE,
            );
        }
    }
    if (known(path) && (path.length > IAM_NAMES.path.max || !IAM_NAMES.path.pattern.test(path))) {
        emit(
            r,
            `path ${JSON.stringify(path)}: IAM paths are "/" or "/…/" of printable ASCII without spaces, at most ${IAM_NAMES.path.max} characters: ValidationError (${IAM_QUOTAS_SOURCE})`,
            IAM_QUOTAS_SOURCE,
        );
    }
}

/** Tags as a map: the `tags` map most resources take, or the Auto Scaling group's list of `{ key, value }`. */
function tagsOf(r: PlannedResource): Array<[string, string]> | undefined {
    const tags = r.inputs.tags;
    if (Array.isArray(tags)) {
        return tags
            .filter(
                (t): t is { key: string; value?: unknown } =>
                    t !== null && typeof t === "object" && typeof (t as { key?: unknown }).key === "string",
            )
            .map((t) => [t.key, String(t.value ?? "")]);
    }
    if (tags !== null && typeof tags === "object")
        return Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v ?? "")]);
    return undefined;
}

function tagRules(r: PlannedResource, emit: Emit): void {
    if (!r.type.startsWith("aws:")) return;
    const tags = tagsOf(r);
    if (!tags) return;
    const { maxTags, keyMaxLength, valueMaxLength, reservedPrefix, source } = AWS_TAG_RULES;
    const problems: string[] = [];
    if (tags.length > maxTags) problems.push(`${tags.length} tags (at most ${maxTags})`);
    for (const [k, v] of tags) {
        if (k.length > keyMaxLength) problems.push(`key ${JSON.stringify(k)} is ${k.length} characters (at most ${keyMaxLength})`);
        if (v.length > valueMaxLength) problems.push(`value of ${JSON.stringify(k)} is ${v.length} characters (at most ${valueMaxLength})`);
        if (k.toLowerCase().startsWith(reservedPrefix))
            problems.push(`key ${JSON.stringify(k)} uses the reserved prefix "${reservedPrefix}"`);
    }
    if (problems.length > 0) {
        emit(r, `tags rejected on create: ${problems.join("; ")} (InvalidParameterValue / ValidationException; ${source})`, source);
    }
}

function kmsPolicy(r: PlannedResource, emit: Emit): void {
    if (r.type !== "aws:kms/key:Key" || !known(r.inputs.policy)) return;
    const bytes = Buffer.byteLength(r.inputs.policy, "utf8");
    if (bytes > KMS_KEY_POLICY_MAX_BYTES) {
        emit(
            r,
            `CreateKey: the key policy is ${bytes} bytes, over KMS's ${KMS_KEY_POLICY_MAX_BYTES}-byte key policy quota: LimitExceededException (${KMS_QUOTAS_SOURCE})`,
            KMS_QUOTAS_SOURCE,
        );
    }
}

function serviceNames(r: PlannedResource, emit: Emit): void {
    const { name, namePrefix, bucket, bucketPrefix } = r.inputs;
    const nameRule = (value: unknown, rule: { max: number; pattern: RegExp; source: string }, what: string): void => {
        if (known(value) && (value.length > rule.max || !rule.pattern.test(value))) {
            emit(
                r,
                `${what} ${JSON.stringify(value)} breaks the service's name rules (${value.length} characters, at most ${rule.max}; ${rule.pattern}): InvalidParameterValue (${rule.source})`,
                rule.source,
            );
        }
    };
    if (r.type === "aws:sqs/queue:Queue") {
        nameRule(name, SERVICE_NAME_RULES.sqsQueue, "CreateQueue QueueName");
    } else if (r.type === "aws:sns/topic:Topic") {
        nameRule(name, SERVICE_NAME_RULES.snsTopic, "CreateTopic Name");
    } else if (/^aws:s3\/bucket(?:V2)?:/.test(r.type)) {
        for (const [key, value, prefix] of [
            ["bucket", bucket, false],
            ["bucketPrefix", bucketPrefix, true],
        ] as const) {
            if (!known(value)) continue;
            const problems = s3BucketNameProblems(value, prefix);
            if (problems.length > 0) {
                emit(
                    r,
                    `CreateBucket: ${key} ${JSON.stringify(value)} breaks S3's general purpose bucket naming rules: ${problems.join("; ")}${prefix ? " (with the provider's 26-character suffix)" : ""}: InvalidBucketName (${SERVICE_NAME_RULES.s3Bucket.source})`,
                    SERVICE_NAME_RULES.s3Bucket.source,
                );
            }
        }
    } else if (r.type === "eks:index:Cluster" || r.type === "aws:eks/cluster:Cluster") {
        nameRule(name, SERVICE_NAME_RULES.eksCluster, "CreateCluster name");
    }
    if (
        r.type === "aws:sqs/queue:Queue" &&
        known(namePrefix) &&
        namePrefix.length > SERVICE_NAME_RULES.sqsQueue.max - IAM_NAMES.namePrefixSuffixLength
    ) {
        emit(
            r,
            `namePrefix ${JSON.stringify(namePrefix)}: with the provider's 26-character suffix the queue name exceeds 80 (${SERVICE_NAME_RULES.sqsQueue.source})`,
            SERVICE_NAME_RULES.sqsQueue.source,
        );
    }
}

/** Rules a security-group rule resource or an inline rule adds: one per CIDR, prefix list or referenced group. */
function ruleCount(rule: Record<string, unknown>): number {
    const lists = ["cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups"].map((k) =>
        Array.isArray(rule[k]) ? (rule[k] as unknown[]).length : 0,
    );
    const single = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId", "sourceSecurityGroupId"].filter((k) =>
        known(rule[k]),
    ).length;
    return Math.max(1, lists.reduce((a, b) => a + b, 0) + single + (rule.self === true ? 1 : 0));
}

function securityGroupRules(context: RehearsalContext, emit: Emit): void {
    const counts = new Map<string, number>();
    const add = (r: PlannedResource, group: string, direction: "ingress" | "egress", n: number): void => {
        const key = `${group}/${direction}`;
        const total = (counts.get(key) ?? 0) + n;
        counts.set(key, total);
        if (total > VPC_QUOTAS.rulesPerSecurityGroupPerDirection) {
            emit(
                r,
                `security group ${group} would hold ${total} ${direction} rules, over the quota of ${VPC_QUOTAS.rulesPerSecurityGroupPerDirection} per direction: RulesPerSecurityGroupLimitExceeded (${VPC_QUOTAS.source})`,
                VPC_QUOTAS.source,
            );
        }
    };
    for (const step of context.steps) {
        const r = step.resource;
        if (r.type === "aws:ec2/securityGroup:SecurityGroup") {
            const group = identifiersOf(r).id ?? r.urn;
            for (const direction of ["ingress", "egress"] as const) {
                const rules = Array.isArray(r.inputs[direction]) ? (r.inputs[direction] as Array<Record<string, unknown>>) : [];
                const n = rules.reduce((sum, rule) => sum + ruleCount(rule), 0);
                if (n > 0) add(r, group, direction, n);
            }
        } else if (
            r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" ||
            r.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
        ) {
            if (known(r.inputs.securityGroupId))
                add(r, r.inputs.securityGroupId, r.type.includes("Ingress") ? "ingress" : "egress", ruleCount(r.inputs));
        } else if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
            if (known(r.inputs.securityGroupId))
                add(r, r.inputs.securityGroupId, r.inputs.type === "egress" ? "egress" : "ingress", ruleCount(r.inputs));
        }
    }
}

export const awsQuotas: RehearsalCheck = {
    name: NAME,
    description:
        "AWS quotas and formats that reject a create: IAM inline aggregates, managed/trust policy sizes, managed policies per role, IAM names and paths, tags, KMS key policy size, SQS/SNS/S3/EKS names, rules per security group",
    run(context) {
        const findings: RehearsalFinding[] = [];
        const emit: Emit = (r, why, source) =>
            findings.push({ step: context.stepOf.get(r.urn)?.index ?? 0, urn: r.urn, check: NAME, why, source });
        inlineAggregates(context, emit);
        managedPerRole(context, emit);
        securityGroupRules(context, emit);
        for (const step of context.steps) {
            const r = step.resource;
            iamDocuments(r, emit);
            iamNames(r, emit);
            tagRules(r, emit);
            kmsPolicy(r, emit);
            serviceNames(r, emit);
        }
        return findings;
    },
};
