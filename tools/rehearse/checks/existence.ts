/**
 * Existence at create time: every input that names another resource (its name, ARN, id, URL; a
 * cluster name, a role in a trust policy or an access entry, a security group, a subnet, a key) names
 * something the engine has created by then (a transitive dependency: the engine runs everything else
 * in parallel, pulumi/pulumi `pkg/resource/deploy/step_executor.go`) or something that exists before
 * the stack (the stacks it reads: their outputs and resources; its own non-secret config, i.e. documented
 * inputs; what its provider functions such as `aws.getCallerIdentity` answered). A value known before the resource it
 * names exists (a plain string equal to the name) carries no dependency: the create races it.
 *
 * What is a reference: every string input of an AWS or EKS create, except tags and descriptions;
 * inside policy documents, only the principals of resource policies (trust, key and bucket policies:
 * IAM, KMS and S3 validate principals when the policy is set; identity policies may name resources
 * that do not exist yet). Kubernetes objects are the admission check's (`kubernetes-admission`).
 */
import type { PlannedResource } from "../../offline/plan";
import type { RehearsalCheck, RehearsalContext, RehearsalFinding } from "../model";
import { isCreated } from "../order";
import {
    arnName,
    identifierIndex,
    identifiersOf,
    isAccountReference,
    label,
    NamedBy,
    policyDocument,
    preexistingValues,
    principalArns,
    statementsOf,
    stringLeaves,
} from "../plan-view";

const DEPENDS_ON_SOURCE = "https://www.pulumi.com/docs/iac/concepts/options/dependson/";

/** The create call each type makes, and what it answers when a named resource is missing (API references). */
const CREATE_CALLS: ReadonlyArray<readonly [RegExp, string, string]> = [
    [
        /^aws:eks\/accessEntry:/,
        "CreateAccessEntry (ResourceNotFoundException: no cluster)",
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html",
    ],
    [
        /^aws:eks\/addon:/,
        "CreateAddon (ResourceNotFoundException)",
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAddon.html",
    ],
    [
        /^aws:eks\/nodeGroup:/,
        "CreateNodegroup (ResourceNotFoundException / InvalidParameterException)",
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html",
    ],
    [
        /^aws:eks\/podIdentityAssociation:/,
        "CreatePodIdentityAssociation (ResourceNotFoundException)",
        "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html",
    ],
    [
        /^aws:iam\/role:/,
        "CreateRole (MalformedPolicyDocument: Invalid principal in policy)",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    ],
    [/^aws:iam\/rolePolicy:/, "PutRolePolicy (NoSuchEntity)", "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html"],
    [
        /^aws:iam\/rolePolicyAttachment:/,
        "AttachRolePolicy (NoSuchEntity)",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html",
    ],
    [/^aws:iam\/userPolicy:/, "PutUserPolicy (NoSuchEntity)", "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html"],
    [
        /^aws:iam\/instanceProfile:/,
        "AddRoleToInstanceProfile (NoSuchEntity)",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html",
    ],
    [
        /^aws:kms\/key:/,
        "CreateKey (MalformedPolicyDocumentException: invalid principal)",
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html",
    ],
    [/^aws:kms\/alias:/, "CreateAlias (NotFoundException)", "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"],
    [
        /^aws:s3\/bucketPolicy:/,
        "PutBucketPolicy (NoSuchBucket / MalformedPolicy: Invalid principal)",
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html",
    ],
    [
        /^aws:s3\//,
        "the bucket's Put… call (NoSuchBucket)",
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html",
    ],
    [
        /^aws:sqs\/queuePolicy:/,
        "SetQueueAttributes (AWS.SimpleQueueService.NonExistentQueue)",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html",
    ],
    [
        /^aws:cloudwatch\/eventTarget:/,
        "PutTargets (ResourceNotFoundException: rule does not exist)",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html",
    ],
    [
        /^aws:secretsmanager\/secretVersion:/,
        "PutSecretValue (ResourceNotFoundException)",
        "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html",
    ],
    [
        /^aws:vpc\/securityGroup(?:Ingress|Egress)Rule:/,
        "AuthorizeSecurityGroupIngress/Egress (InvalidGroup.NotFound)",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html",
    ],
    [/^aws:ec2\//, "the EC2 create call (Invalid…NotFound)", "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"],
];

function createCall(type: string): { call: string; source: string } {
    const hit = CREATE_CALLS.find(([pattern]) => pattern.test(type));
    return hit ? { call: hit[1], source: hit[2] } : { call: `the create call of ${type}`, source: DEPENDS_ON_SOURCE };
}

/** Input keys that are never references. */
const NOT_REFERENCES = new Set(["tags", "tagsAll", "description", "userData", "userDataBase64"]);
/** Inputs holding a resource policy (principals are validated when it is set); other policy documents are identity policies. */
const RESOURCE_POLICY_INPUTS: ReadonlyArray<readonly [RegExp, string]> = [
    [/^aws:iam\/role:/, "assumeRolePolicy"],
    [/^aws:kms\/key:/, "policy"],
    [/^aws:s3\/bucketPolicy:/, "policy"],
];

/** The values of `r`'s inputs that name something, with where they sit (its own name inputs excluded). */
export function referencesOf(r: PlannedResource): Array<{ path: string; value: string }> {
    const out: Array<{ path: string; value: string }> = [];
    const own = identifiersOf(r);
    for (const [key, value] of Object.entries(r.inputs)) {
        if (NOT_REFERENCES.has(key) || own[key] === value) continue;
        const doc = policyDocument(value);
        if (doc) {
            if (RESOURCE_POLICY_INPUTS.some(([type, input]) => type.test(r.type) && input === key)) {
                statementsOf(doc).forEach((s, i) =>
                    principalArns(s).forEach((arn) => out.push({ path: `${key}.Statement[${i}].Principal`, value: arn })),
                );
            }
            continue;
        }
        out.push(...stringLeaves(value, key));
    }
    return out;
}

/** What an input's key says it names (`clusterName` a cluster, `roleArn` a role, …): the candidates of that kind, when any. */
const KEY_KINDS: ReadonlyArray<readonly [RegExp, RegExp]> = [
    [/cluster/i, /^(?:eks:index:Cluster|aws:eks\/cluster:)/],
    [/role/i, /^aws:iam\/(?:role|serviceLinkedRole):/],
    [/subnet/i, /^aws:ec2\/subnet:/],
    [/securityGroup|SecurityGroup|^sg/i, /^aws:ec2\/(?:securityGroup|defaultSecurityGroup):|^eks:index:Cluster/],
    [/vpc/i, /^aws:ec2\/vpc:/],
    [/kms|key/i, /^aws:kms\/(?:key|alias):/],
    [/bucket/i, /^aws:s3\/bucket(?:V2)?:/],
    [/queue/i, /^aws:sqs\/queue:/],
    [/^rule$/, /^aws:cloudwatch\/eventRule:/],
    [/secret/i, /^aws:secretsmanager\/secret:/],
];

export function ofNamedKind(path: string, named: readonly NamedBy[]): NamedBy[] {
    const key =
        path
            .replace(/\[\d+\]/g, "")
            .split(".")
            .pop() ?? path;
    for (const [keyPattern, typePattern] of KEY_KINDS) {
        if (!keyPattern.test(key)) continue;
        const ofKind = named.filter((n) => typePattern.test(n.resource.type));
        if (ofKind.length > 0) return ofKind;
    }
    return [...named];
}

function isAncestor(context: RehearsalContext, maybeAncestor: string, urn: string): boolean {
    for (let p = context.stepOf.get(urn)?.resource.parent; p; p = context.stepOf.get(p)?.resource.parent ?? null) {
        if (p === maybeAncestor) return true;
    }
    return false;
}

export const existence: RehearsalCheck = {
    name: "existence",
    description:
        "every input naming another resource (name, ARN, id, cluster, trust/access-entry principal, SG, subnet, key) names one created before it or existing before the stack",
    run(context) {
        const findings: RehearsalFinding[] = [];
        const index = identifierIndex(context.plan.resources);
        const before = preexistingValues(context.references, context.plan);
        const preexistingNames = new Set([...before].map(arnName));
        const ownNames = new Set(context.plan.resources.flatMap((r) => Object.values(identifiersOf(r)).map(arnName)));
        // Pulumi auto-names a resource `<logical name>-<7 hex>`: a version 1 plan has no computed names, but that form still says whose it is.
        const logicalNames = new Set([...context.plan.resources, ...context.references.flatMap((s) => s.resources)].map((r) => r.name));
        const autoNamed = (value: string): boolean => logicalNames.has(arnName(value).replace(/-[0-9a-f]{7}$/, ""));
        for (const step of context.steps) {
            const r = step.resource;
            if (!isCreated(r) || !/^(?:aws|eks):/.test(r.type)) continue;
            const { call, source } = createCall(r.type);
            const reported = new Set<string>();
            for (const ref of referencesOf(r)) {
                const named: NamedBy[] = ofNamedKind(
                    ref.path,
                    (index.get(ref.value) ?? []).filter(
                        (n) =>
                            n.resource.urn !== r.urn &&
                            !isAncestor(context, n.resource.urn, r.urn) &&
                            !isAncestor(context, r.urn, n.resource.urn),
                    ),
                );
                if (named.length > 0) {
                    // A value this stack's own resource is named by must wait for it, even where another stack also publishes the string.
                    if (named.some((n) => context.createdBefore(r.urn, n.resource.urn))) continue;
                    const target = named[0];
                    if (reported.has(target.resource.urn)) continue;
                    reported.add(target.resource.urn);
                    const targetStep = context.stepOf.get(target.resource.urn)?.index ?? 0;
                    findings.push({
                        step: step.index,
                        urn: r.urn,
                        check: "existence",
                        why:
                            `input ${ref.path} = ${JSON.stringify(ref.value)} names ${label(target.resource)} (its ${target.key}, create #${targetStep}), ` +
                            `which it does not depend on: the engine may run ${call} before that exists. Take the value from the resource's output ` +
                            `(or add dependsOn) so the engine waits for it (${source}; ordering: ${DEPENDS_ON_SOURCE})`,
                        source,
                    });
                } else if (
                    isAccountReference(ref.value) &&
                    !before.has(ref.value) &&
                    !preexistingNames.has(arnName(ref.value)) &&
                    !ownNames.has(arnName(ref.value)) &&
                    !autoNamed(ref.value) &&
                    !/:root$/.test(ref.value)
                ) {
                    findings.push({
                        step: step.index,
                        urn: r.urn,
                        check: "existence",
                        why:
                            `input ${ref.path} = ${JSON.stringify(ref.value)} names nothing this stack creates and nothing that exists before it ` +
                            `(${context.references.length > 0 ? `not among ${context.references.map((s) => s.name).join(", ")}'s outputs or resources` : "it reads no other stack"}): ` +
                            `${call} would fail (${source})`,
                        source,
                    });
                }
            }
        }
        return findings;
    },
};
