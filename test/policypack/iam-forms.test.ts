/**
 * The IAM rules (policypack/iam.ts) and the scope helpers (policypack/lib/iam-scope.ts) against every
 * syntactic form a policy document may take: Action/Resource as a string or an array, a wildcard inside
 * a list, ARN wildcards, NotAction/NotResource/NotPrincipal, Deny statements, condition operators and
 * values, JSON strings and objects, every resource type that carries a policy. The checks are called
 * directly (no policy host), so each fixture shows exactly which form a rule must catch and which it
 * must let through. Forms follow the IAM User Guide's "IAM JSON policy element reference".
 */
import { strict as assert } from "node:assert";
import {
    adminRule,
    hasAbacCondition,
    irsaTrustRule,
    notElementsRule,
    oidcTrustRule,
    passRoleRule,
    pinsResourceByCondition,
    publicTrustRule,
    starResourceRule,
    wildcardActionsRule,
} from "../../policypack/iam";
import { DEFAULT_CONFIG, PackConfig } from "../../policypack/config";
import { parseDocument } from "../../policypack/lib/iam-document";
import { coversEveryResource, hasLimitingCondition, isPublicAllow, isPublicPrincipal } from "../../policypack/lib/iam-scope";
import { applies, ResourceRule, ResourceView } from "../../policypack/lib/rule";
import { policyJson as doc } from "../helpers/policy-json";

type Json = Record<string, unknown>;

function view(type: string, name: string, props: Json): ResourceView {
    return { type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props, stackTags: new Map() };
}
const rolePolicy = (...statements: Json[]): ResourceView =>
    view("aws:iam/rolePolicy:RolePolicy", "p", { role: "r", policy: doc(...statements) });
const trustRole = (...statements: Json[]): ResourceView => view("aws:iam/role:Role", "r", { assumeRolePolicy: doc(...statements) });
const check = (rule: ResourceRule, r: ResourceView, config: PackConfig = DEFAULT_CONFIG): readonly string[] => rule.check(r, config);
const statement = (s: Json) => {
    const parsed = parseDocument({ Statement: s });
    assert.ok(parsed);
    return parsed[0];
};
const RP = 'aws:iam/rolePolicy:RolePolicy "p" policy statement 1';

describe("IAM rules by syntactic form (policypack/iam.ts)", () => {
    describe("iam-policy-deny-admin-access", () => {
        const every = (where: string) => `${where} allows every action ("*"): list the actions it needs.`;
        it('reports "*" and "*:*" as a string, inside an action list, in a JSON string or object document, on every identity-policy type', () => {
            assert.deepEqual(check(adminRule, rolePolicy({ Effect: "Allow", Action: "*", Resource: "*" })), [every(RP)]);
            assert.deepEqual(check(adminRule, rolePolicy({ Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: "*" })), [every(RP)]);
            assert.deepEqual(check(adminRule, rolePolicy({ Effect: "Allow", Action: ["*:*"], Resource: "*" })), [every(RP)]);
            for (const type of ["aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"]) {
                const asObject = view(type, "x", { policy: { Statement: { Sid: "All", Effect: "Allow", Action: "*", Resource: "*" } } });
                assert.deepEqual(check(adminRule, asObject), [every(`${type} "x" policy statement "All"`)], type);
            }
        });
        it("reads a role's inline policies, labelled by name or by index", () => {
            const role = view("aws:iam/role:Role", "r", {
                inlinePolicies: [
                    { name: "ok", policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) },
                    { name: "admin", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) },
                    { policy: doc({ Effect: "Allow", Action: "*:*", Resource: "*" }) },
                ],
            });
            assert.deepEqual(check(adminRule, role), [
                every('aws:iam/role:Role "r" inline policy "admin" statement 1'),
                every('aws:iam/role:Role "r" inline policy "2" statement 1'),
            ]);
            // A role's `policy`-named input is not an identity policy of the role.
            assert.deepEqual(
                check(adminRule, view("aws:iam/role:Role", "r", { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) })),
                [],
            );
        });
        it("lets through a Deny of *, a service wildcard (another rule's finding), and documents that are not policies", () => {
            assert.deepEqual(check(adminRule, rolePolicy({ Effect: "Deny", Action: "*", Resource: "*" })), []);
            assert.deepEqual(check(adminRule, rolePolicy({ Effect: "Allow", Action: ["s3:*", "**"], Resource: "*" })), []);
            assert.deepEqual(check(adminRule, view("aws:iam/rolePolicy:RolePolicy", "p", { policy: "not json" })), []);
            assert.deepEqual(check(adminRule, view("aws:iam/rolePolicy:RolePolicy", "p", { policy: 42 })), []);
        });
        it("reports AdministratorAccess, IAMFullAccess and PowerUserAccess attached by each attachment type and a role's managedPolicyArns", () => {
            const attaches = (type: string, name: string, arn: string) =>
                `${type} "${name}" attaches ${arn}: grant the specific actions the role needs instead.`;
            const single = [
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "aws:iam/policyAttachment:PolicyAttachment",
                "aws:iam/userPolicyAttachment:UserPolicyAttachment",
                "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
            ];
            for (const [i, type] of single.entries()) {
                const arn = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"].map((n) => `arn:aws:iam::aws:policy/${n}`)[i % 3];
                assert.deepEqual(check(adminRule, view(type, "a", { policyArn: arn })), [attaches(type, "a", arn)], type);
                assert.ok(applies(adminRule, type), type);
                // The attachment types carry no policy document of their own: a `policy` input is not read.
                assert.deepEqual(
                    check(adminRule, view(type, "a", { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) })),
                    [],
                    type,
                );
            }
            const lists = [
                "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
                "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
                "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
            ];
            const arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws-us-gov:iam::aws:policy/PowerUserAccess"];
            for (const type of lists) {
                assert.deepEqual(check(adminRule, view(type, "x", { policyArns: arns })), [attaches(type, "x", arns[1])], type);
                assert.ok(applies(adminRule, type), type);
            }
            assert.deepEqual(check(adminRule, view("aws:iam/role:Role", "r", { managedPolicyArns: arns })), [
                attaches("aws:iam/role:Role", "r", arns[1]),
            ]);
        });
        it("lets through other managed policies, look-alike names and inputs of the wrong kind", () => {
            const type = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
            for (const policyArn of [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::aws:policy/AdministratorAccessExtra",
                undefined,
                7,
            ]) {
                assert.deepEqual(check(adminRule, view(type, "a", { policyArn })), [], String(policyArn));
            }
            // The list input of an exclusive attachment is not read from `policyArn`, nor a single attachment's from `policyArns`.
            assert.deepEqual(check(adminRule, view(type, "a", { policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] })), []);
            assert.deepEqual(
                check(adminRule, view("aws:s3/bucket:Bucket", "b", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })),
                [],
            );
            assert.equal(applies(adminRule, "aws:s3/bucket:Bucket"), false);
        });
    });

    describe("iam-policy-deny-wildcard-actions", () => {
        it("reports service and prefix wildcards as a string or inside a list, and unknown action names, in Allow statements only", () => {
            assert.deepEqual(check(wildcardActionsRule, rolePolicy({ Effect: "Allow", Action: "s3:*", Resource: "*" })), [
                `${RP} allows the wildcard action "s3:*": list the actions by name.`,
            ]);
            assert.deepEqual(
                check(
                    wildcardActionsRule,
                    rolePolicy({ Effect: "Allow", Action: ["s3:GetObject", "ec2:Describe*", "s3:GetObjekt"], Resource: "*" }),
                ),
                [
                    `${RP} allows the wildcard action "ec2:Describe*": list the actions by name.`,
                    `${RP} allows "s3:GetObjekt", which is not an IAM action: fix the name.`,
                ],
            );
            assert.deepEqual(check(wildcardActionsRule, rolePolicy({ Effect: "Deny", Action: ["s3:*", "nope:Nope"], Resource: "*" })), []);
        });
        it('leaves "*" to the administrator rule and lets known actions through', () => {
            assert.deepEqual(
                check(wildcardActionsRule, rolePolicy({ Effect: "Allow", Action: ["*", "s3:GetObject", "iam:PassRole"], Resource: "*" })),
                [],
            );
        });
    });

    describe("iam-policy-restrict-star-resource", () => {
        const grants = (actions: string, on: string) =>
            `${RP} grants ${actions} on ${on}: these actions support resource ARNs; scope them (or add the ABAC tag condition).`;
        const typeWide = (arns: string) => `${arns} (every resource of its type, as good as "*")`;
        it('reports scopable actions on "*" as a string or inside a resource list, naming only the scopable ones', () => {
            assert.deepEqual(check(starResourceRule, rolePolicy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })), [
                grants("s3:GetObject", '"*"'),
            ]);
            assert.deepEqual(
                check(
                    starResourceRule,
                    rolePolicy({
                        Effect: "Allow",
                        Action: ["s3:GetObject", "ec2:DescribeInstances", "s3:Get*", "s3:GetObjekt", "kms:Decrypt"],
                        Resource: ["arn:aws:s3:::bucket/*", "*"],
                    }),
                ),
                [grants("s3:GetObject, kms:Decrypt", '"*"')],
            );
        });
        it("reports ARN wildcards over every resource of a type, naming them", () => {
            const arns = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:*", "arn:aws:kms:eu-west-1:123456789012:key/*"];
            assert.deepEqual(check(starResourceRule, rolePolicy({ Effect: "Allow", Action: ["kms:Decrypt"], Resource: arns })), [
                grants("kms:Decrypt", typeWide(arns.join(", "))),
            ]);
        });
        it("lets through actions IAM cannot scope, Deny statements, named resources and name prefixes", () => {
            assert.deepEqual(check(starResourceRule, rolePolicy({ Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" })), []);
            assert.deepEqual(check(starResourceRule, rolePolicy({ Effect: "Deny", Action: "s3:GetObject", Resource: "*" })), []);
            assert.deepEqual(
                check(
                    starResourceRule,
                    rolePolicy({
                        Effect: "Allow",
                        Action: "secretsmanager:GetSecretValue",
                        Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/*", "arn:aws:s3:::bucket/*"],
                    }),
                ),
                [],
            );
        });
        it("accepts the ABAC condition: StringEquals* on the resource tag against a principal tag, for every configured key", () => {
            const abac = (Condition: Json) =>
                rolePolicy({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition });
            const fail = [grants("secretsmanager:GetSecretValue", '"*"')];
            const principalTag = "${aws:PrincipalTag/ekssecret}";
            // StringEqualsIgnoreCase pins no resource by itself (pinsResourceByCondition wants StringEquals): only the ABAC form lets it through.
            const op = "StringEqualsIgnoreCase";
            assert.deepEqual(check(starResourceRule, abac({ [op]: { "aws:ResourceTag/ekssecret": principalTag } })), []);
            assert.deepEqual(check(starResourceRule, abac({ [op]: { "secretsmanager:ResourceTag/EksSecret": ["x", principalTag] } })), []);
            assert.deepEqual(check(starResourceRule, abac({ StringEquals: { "aws:ResourceTag/ekssecret": principalTag } })), []);
            assert.deepEqual(check(starResourceRule, abac({ StringLike: { "aws:ResourceTag/ekssecret": principalTag } })), fail);
            assert.deepEqual(check(starResourceRule, abac({ [op]: { "aws:ResourceTag/other": principalTag } })), fail);
            assert.deepEqual(check(starResourceRule, abac({ [op]: { "aws:RequestTag/ekssecret": principalTag } })), fail);
            assert.deepEqual(check(starResourceRule, abac({ [op]: { "aws:ResourceTag/ekssecret": "team-a" } })), fail);
            assert.deepEqual(
                check(starResourceRule, abac({ [op]: { "aws:ResourceTag/ekssecret": "x${aws:PrincipalTag/ekssecret}" } })),
                fail,
            );
            assert.deepEqual(
                check(starResourceRule, abac({ [op]: { "aws:ResourceTag/ekssecret": "${aws:PrincipalTag/ekssecret}x" } })),
                fail,
            );
            assert.deepEqual(check(starResourceRule, abac({ [op]: { "aws:ResourceTag/ekssecret": "${aws:PrincipalTag/}" } })), fail);
            const twoKeys = { ...DEFAULT_CONFIG, abacTagKeys: ["ekssecret", "team"] };
            assert.deepEqual(check(starResourceRule, abac({ [op]: { "aws:ResourceTag/ekssecret": principalTag } }), twoKeys), fail);
        });
        it("accepts a condition pinning the resource by identifier, resource or request tag, or create action, with literal values only", () => {
            const pinned = (Condition: Json) => rolePolicy({ Effect: "Allow", Action: "ec2:CreateTags", Resource: "*", Condition });
            const fail = [grants("ec2:CreateTags", '"*"')];
            for (const Condition of [
                { StringEquals: { "aws:ResourceTag/team": "a" } },
                { StringEquals: { "aws:RequestTag/team": ["a"] } },
                { StringEquals: { "ec2:CreateAction": "RunInstances" } },
                { ArnLike: { "ec2:ResourceTag/team": "a*" } },
                { StringEquals: { "aws:ResourceTag/team": "*-a" } },
            ]) {
                assert.deepEqual(check(starResourceRule, pinned(Condition)), [], JSON.stringify(Condition));
            }
            for (const Condition of [
                // No key EC2 puts in any request's context (Service Authorization Reference, Amazon EC2): it never matches.
                { ArnEquals: { "ec2:ResourceIdentifier": "arn:aws:ec2:eu-west-1:123456789012:instance/i-1" } },
                { StringNotEquals: { "aws:ResourceTag/team": "a" } },
                { StringEqualsIfExists: { "aws:ResourceTag/team": "a" } },
                { StringLike: { "aws:ResourceTag/team": "a" } },
                { StringEquals: { "aws:ResourceTag/team": "*" } },
                { StringEquals: { "aws:ResourceTag/team": "**" } },
                { "ForAllValues:StringEquals": { "aws:ResourceTag/team": "a" } },
                { StringEquals: { "aws:ResourceTag/team": ["a", "?"] } },
                { StringEquals: { "aws:ResourceTag/team": [] } },
                { StringEquals: { "aws:PrincipalTag/team": "a" } },
                { StringEquals: { "aws:SourceVpc": "vpc-1" } },
                { StringEquals: { "ec2:CreateActionX": "RunInstances" } },
            ]) {
                assert.deepEqual(check(starResourceRule, pinned(Condition)), fail, JSON.stringify(Condition));
            }
        });
        it("pinsResourceByCondition and hasAbacCondition read the key after any service prefix, case-insensitively", () => {
            assert.equal(
                pinsResourceByCondition(statement({ Condition: { stringequals: { "S3:ResourceTag/x": "a" } } }), "s3:GetObject"),
                true,
            );
            assert.equal(
                pinsResourceByCondition(statement({ Condition: { StringEquals: { "xresourcetag/x": "a" } } }), "s3:GetObject"),
                false,
            );
            assert.equal(
                pinsResourceByCondition(statement({ Condition: { StringEquals: { "aws:ResourceTag/x": "a*" } } }), "s3:GetObject"),
                true,
            );
            assert.equal(pinsResourceByCondition(statement({}), "s3:GetObject"), false);
            assert.equal(hasAbacCondition(statement({}), []), true, "no ABAC keys configured: nothing to compare");
            assert.equal(
                hasAbacCondition(
                    statement({ Condition: { StringEqualsIgnoreCase: { "aws:ResourceTag/k": ["x", "${aws:PrincipalTag/k}"] } } }),
                    ["K"],
                ),
                true,
            );
        });
    });

    describe("iam-policy-deny-not-elements", () => {
        it("reports NotAction and NotResource in Allow statements, NotPrincipal anywhere, in identity, trust and resource policies", () => {
            assert.deepEqual(check(notElementsRule, rolePolicy({ Effect: "Allow", NotAction: "iam:*", NotResource: ["arn:aws:s3:::b"] })), [
                `${RP} allows NotAction: list the allowed actions instead.`,
                `${RP} allows NotResource: list the allowed resources instead.`,
            ]);
            assert.deepEqual(check(notElementsRule, rolePolicy({ Effect: "Deny", NotAction: "iam:*", NotResource: "*" })), []);
            const role = view("aws:iam/role:Role", "r", {
                assumeRolePolicy: doc({
                    Effect: "Deny",
                    NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" },
                    Action: "sts:AssumeRole",
                }),
            });
            assert.deepEqual(check(notElementsRule, role), [
                'aws:iam/role:Role "r" trust policy statement 1 uses NotPrincipal: name the principals instead.',
            ]);
            const bucketPolicy = view("aws:s3/bucketPolicy:BucketPolicy", "b", {
                policy: { Statement: [{ Sid: "S", Effect: "Allow", NotPrincipal: "*", Action: "s3:GetObject", Resource: "*" }] },
            });
            assert.deepEqual(check(notElementsRule, bucketPolicy), [
                'aws:s3/bucketPolicy:BucketPolicy "b" policy statement "S" uses NotPrincipal: name the principals instead.',
            ]);
            // A trust policy is read only on roles.
            assert.deepEqual(
                check(notElementsRule, view("aws:iam/rolePolicy:RolePolicy", "p", { assumeRolePolicy: doc({ NotPrincipal: "*" }) })),
                [],
            );
            assert.deepEqual(check(notElementsRule, view("aws:iam/role:Role", "r", {})), []);
        });
    });

    describe("iam-policy-scope-pass-role", () => {
        const passes = (actions: string, verbs: string) =>
            `${RP} allows ${actions} on every role: name the roles (or a name prefix) it may ${verbs}.`;
        it('reports PassRole and AssumeRole (any case, string or in a list, named as written) on "*", an account-wide ARN wildcard or role/*', () => {
            const cases: Array<[string | string[], string | string[], string]> = [
                ["iam:PassRole", "*", passes("iam:PassRole", "pass")],
                [
                    ["s3:GetObject", "IAM:passrole"],
                    ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/*"],
                    passes("IAM:passrole", "pass"),
                ],
                ["iam:PassRole", "arn:*:*:*:*:*", passes("iam:PassRole", "pass")],
                [["iam:PassRole", "sts:AssumeRole"], "*", passes("iam:PassRole, sts:AssumeRole", "pass or assume")],
                // Wildcard forms, matched as IAM matches actions (case-insensitive, `*` and `?` anywhere).
                ["iam:Pass*", "*", passes("iam:Pass*", "pass")],
                ["IAM:*", "*", passes("IAM:*", "pass")],
                ["sts:Assume?ole", "*", passes("sts:Assume?ole", "assume")],
                ["*", "*", passes("*", "pass or assume")],
            ];
            for (const [Action, Resource, message] of cases) {
                assert.deepEqual(
                    check(passRoleRule, rolePolicy({ Effect: "Allow", Action, Resource })),
                    [message],
                    JSON.stringify(Resource),
                );
            }
        });
        it("lets through named roles, a name prefix, Deny, and other actions on *", () => {
            for (const s of [
                {
                    Effect: "Allow",
                    Action: "iam:PassRole",
                    Resource: ["arn:aws:iam::123456789012:role/node", "arn:aws:iam::123456789012:role/ci-*"],
                },
                { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/team/*" },
                { Effect: "Deny", Action: "iam:PassRole", Resource: "*" },
                { Effect: "Allow", Action: ["iam:GetRole", "iam:PassRoles"], Resource: "*" },
                { Effect: "Allow", Action: ["iam:Get*", "sts:GetCaller*", "iam:PassRole?"], Resource: "*" },
            ]) {
                assert.deepEqual(check(passRoleRule, rolePolicy(s)), [], JSON.stringify(s));
            }
        });
    });

    describe("iam-role-require-scoped-irsa-trust", () => {
        const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
        const federated = { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` };
        const irsa = (Condition: Json, Effect = "Allow") =>
            trustRole({ Effect, Principal: federated, Action: "sts:AssumeRoleWithWebIdentity", Condition });
        const SUB =
            'role "r" trust statement 1 must pin "<issuer>:sub" with StringEquals to system:serviceaccount:<namespace>:<name> (no wildcards).';
        const AUD = 'role "r" trust statement 1 must pin "<issuer>:aud" with StringEquals to sts.amazonaws.com.';
        const good = { [`${issuer}:sub`]: "system:serviceaccount:ns:sa", [`${issuer}:aud`]: "sts.amazonaws.com" };
        it("accepts sub pinned to one service account and aud to sts.amazonaws.com", () => {
            assert.deepEqual(check(irsaTrustRule, irsa({ StringEquals: good })), []);
            assert.deepEqual(
                check(
                    irsaTrustRule,
                    irsa({ StringEquals: { ...good, [`${issuer}:sub`]: ["system:serviceaccount:a:b", "system:serviceaccount:c:d"] } }),
                ),
                [],
            );
        });
        it("reports each loose or missing claim: wildcards, other forms, StringLike, extra audiences, no condition", () => {
            const cases: Array<[Json, string[]]> = [
                [{ StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com" } }, [SUB]],
                [{ StringEquals: { ...good, [`${issuer}:sub`]: "system:serviceaccount:ns:*" } }, [SUB]],
                [{ StringEquals: { ...good, [`${issuer}:sub`]: ["system:serviceaccount:ns:sa", "ns:sa"] } }, [SUB]],
                [{ StringEquals: { ...good, [`${issuer}:sub`]: "system:serviceaccount:ns:sa:x" } }, [SUB]],
                [{ StringEquals: { ...good, [`${issuer}:sub`]: "xsystem:serviceaccount:ns:sa" } }, [SUB]],
                [{ StringEquals: { ...good, [`${issuer}:sub`]: [] } }, [SUB]],
                [{ StringEquals: { [`${issuer}:sub`]: "system:serviceaccount:ns:sa" } }, [AUD]],
                [{ StringEquals: { ...good, [`${issuer}:aud`]: ["sts.amazonaws.com", "other"] } }, [AUD]],
                [{ StringLike: good }, [SUB, AUD]],
                [{}, [SUB, AUD]],
            ];
            for (const [Condition, messages] of cases) {
                assert.deepEqual(check(irsaTrustRule, irsa(Condition)), messages, JSON.stringify(Condition));
            }
        });
        it("reads the claims by key whatever their order, and checks a statement trusting an EKS provider among others", () => {
            const audFirst = { [`${issuer}:aud`]: "sts.amazonaws.com", [`${issuer}:sub`]: "system:serviceaccount:ns:sa" };
            assert.deepEqual(check(irsaTrustRule, irsa({ StringEquals: audFirst })), []);
            const mixed = trustRole({
                Effect: "Allow",
                Principal: { Federated: ["cognito-identity.amazonaws.com", federated.Federated] },
                Action: "sts:AssumeRoleWithWebIdentity",
            });
            assert.deepEqual(check(irsaTrustRule, mixed), [SUB, AUD]);
        });
        it("leaves Deny statements and non-EKS providers alone", () => {
            assert.deepEqual(check(irsaTrustRule, irsa({}, "Deny")), []);
            assert.deepEqual(
                check(
                    irsaTrustRule,
                    trustRole({
                        Effect: "Allow",
                        Principal: { Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" },
                    }),
                ),
                [],
            );
        });
    });

    describe("iam-role-require-scoped-oidc-trust", () => {
        const gh = "token.actions.githubusercontent.com";
        const trust = (issuer: string, Condition: Json, Effect = "Allow") =>
            trustRole({
                Effect,
                Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition,
            });
        const where = 'role "r" trust statement 1';
        const loose = (issuer: string, what: string) =>
            `${where} lets ${what} of ${issuer} assume the role: pin "${issuer}:sub" to one repository or project and its branch, tag or environment.`;
        const noAud = (issuer: string) =>
            `${where} does not pin "${issuer}:aud" with StringEquals to the audience its tokens are minted for (sts.amazonaws.com on GitHub).`;
        const noSub = (issuer: string) =>
            `${where} trusts ${issuer} without a "${issuer}:sub" condition: any repository or project on it may assume the role.`;
        const withSub = (issuer: string, sub: string | string[], op = "StringEquals") =>
            trust(issuer, {
                [op]: { [`${issuer}:sub`]: sub },
                ...(op === "StringEquals" ? {} : { StringEquals: {} }),
                ...{
                    StringEquals: { ...(op === "StringEquals" ? { [`${issuer}:sub`]: sub } : {}), [`${issuer}:aud`]: "sts.amazonaws.com" },
                },
            });

        it("GitHub: accepts one repository with its branch, tag, environment, pull requests or a branch-name prefix (StringEquals or StringLike)", () => {
            for (const sub of [
                "repo:org/app:ref:refs/heads/main",
                "repo:org/app:environment:prod",
                "repo:org/app:pull_request",
                "repo:org/app:ref:refs/heads/release-*",
            ]) {
                assert.deepEqual(check(oidcTrustRule, withSub(gh, sub)), [], sub);
            }
            assert.deepEqual(
                check(
                    oidcTrustRule,
                    trust(gh, {
                        StringLike: { [`${gh}:sub`]: "repo:org/app:ref:refs/tags/v1" },
                        StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" },
                    }),
                ),
                [],
            );
        });
        it("GitHub: reports any subject, any repository, any branch and subjects of another form", () => {
            const cases: Array<[string, string]> = [
                ["*", "any subject"],
                ["", "any subject"],
                ["repo:org/*:ref:refs/heads/main", '"repo:org/*:ref:refs/heads/main" (any repository)'],
                ["repo:org:ref:refs/heads/main", '"repo:org:ref:refs/heads/main" (any repository)'],
                ["repo:org/app", '"repo:org/app" (any branch, tag, environment or pull request)'],
                ["repo:org/app:*", '"repo:org/app:*" (any branch, tag, environment or pull request)'],
                ["repo:org/app:ref:refs/heads/*", '"repo:org/app:ref:refs/heads/*" (any branch, tag, environment or pull request)'],
                ["repo:org/app:ref:refs/tags/*", '"repo:org/app:ref:refs/tags/*" (any branch, tag, environment or pull request)'],
                ["repo:org/app:ref:refs/*", '"repo:org/app:ref:refs/*" (any branch, tag, environment or pull request)'],
                ["repo:org/app:ref:*", '"repo:org/app:ref:*" (any branch, tag, environment or pull request)'],
                ["repo:org/app:environment:?", '"repo:org/app:environment:?" (any branch, tag, environment or pull request)'],
                ["org/app:ref:refs/heads/main", '"org/app:ref:refs/heads/main" (not repo:<owner>/<repo>:<context>)'],
                ["xrepo:org/app:ref:refs/heads/main", '"xrepo:org/app:ref:refs/heads/main" (not repo:<owner>/<repo>:<context>)'],
            ];
            for (const [sub, what] of cases) {
                assert.deepEqual(check(oidcTrustRule, withSub(gh, sub)), [loose(gh, what)], sub);
            }
            assert.deepEqual(check(oidcTrustRule, withSub(gh, ["repo:org/app:ref:refs/heads/main", "repo:org/*:x", "*"])), [
                loose(gh, '"repo:org/*:x" (any repository), any subject'),
            ]);
        });
        it("reports a missing sub (or one only under a negated operator) and an unpinned aud", () => {
            assert.deepEqual(check(oidcTrustRule, trust(gh, { StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" } })), [noSub(gh)]);
            assert.deepEqual(check(oidcTrustRule, withSub(gh, "repo:org/app:environment:prod", "StringNotEquals")), [noSub(gh)]);
            assert.deepEqual(check(oidcTrustRule, trust(gh, { StringEquals: { [`${gh}:sub`]: "repo:org/app:environment:prod" } })), [
                noAud(gh),
            ]);
            for (const aud of ["*", "sts.amazonaws.co?", ["sts.amazonaws.com", "s*"]]) {
                const r = trust(gh, { StringEquals: { [`${gh}:sub`]: "repo:org/app:environment:prod", [`${gh}:aud`]: aud } });
                assert.deepEqual(check(oidcTrustRule, r), [noAud(gh)], JSON.stringify(aud));
            }
            assert.deepEqual(check(oidcTrustRule, trust(gh, {})), [noSub(gh), noAud(gh)]);
        });
        it("GitLab: accepts one project and ref; reports any project and any ref", () => {
            const gl = "gitlab.example.com";
            assert.deepEqual(check(oidcTrustRule, withSub(gl, "project_path:group/app:ref_type:branch:ref:main")), []);
            assert.deepEqual(check(oidcTrustRule, withSub(gl, "project_path:group/app:ref:main")), []);
            const cases: Array<[string, string]> = [
                ["project_path:group/*:ref_type:branch:ref:main", '"project_path:group/*:ref_type:branch:ref:main" (any project)'],
                ["project_path:group:ref_type:branch:ref:main", '"project_path:group:ref_type:branch:ref:main" (any project)'],
                ["project_path:group/app", '"project_path:group/app" (any branch or tag)'],
                ["project_path:group/app:ref_type:branch:ref:*", '"project_path:group/app:ref_type:branch:ref:*" (any branch or tag)'],
                ["project_path:group/app:ref_type:branch:ref:", '"project_path:group/app:ref_type:branch:ref:" (any branch or tag)'],
            ];
            for (const [sub, what] of cases) {
                assert.deepEqual(check(oidcTrustRule, withSub(gl, sub)), [loose(gl, what)], sub);
            }
        });
        it("another issuer: reports a wildcard after a short prefix; leaves EKS issuers, Deny and non-OIDC principals alone", () => {
            const other = "oidc.example.com";
            assert.deepEqual(check(oidcTrustRule, withSub(other, "abc*")), [loose(other, '"abc*" (a wildcard subject)')]);
            assert.deepEqual(check(oidcTrustRule, withSub(other, "*")), [loose(other, "any subject")]);
            assert.deepEqual(check(oidcTrustRule, withSub(other, "abcd*")), []);
            assert.deepEqual(check(oidcTrustRule, withSub(other, "project_path")), []);
            assert.deepEqual(check(oidcTrustRule, trust("oidc.eks.eu-west-1.amazonaws.com/id/X", {})), []);
            assert.deepEqual(check(oidcTrustRule, trust(gh, {}, "Deny")), []);
            assert.deepEqual(
                check(oidcTrustRule, trustRole({ Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" } })),
                [],
            );
            assert.deepEqual(
                check(
                    oidcTrustRule,
                    view("aws:iam/rolePolicy:RolePolicy", "p", {
                        assumeRolePolicy: doc({ Principal: { Federated: `x:oidc-provider/${gh}` } }),
                    }),
                ),
                [],
            );
        });
    });

    describe("iam-role-deny-public-trust", () => {
        const where = 'role "r" trust statement 1';
        const everyone = `${where} trusts every AWS principal ("*"): name the principals.`;
        const unguarded = (roots: string) =>
            `${where} trusts ${roots} without a condition: add sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn.`;
        const assume = (Principal: unknown, Condition?: Json, Effect = "Allow") =>
            trustRole({ Effect, Principal, Action: "sts:AssumeRole", Condition });
        it('reports "*" as a principal string, an AWS string or inside an AWS list, unless a condition limits the callers', () => {
            for (const principal of ["*", { AWS: "*" }, { AWS: ["arn:aws:iam::123456789012:role/x", "*"] }]) {
                assert.deepEqual(check(publicTrustRule, assume(principal)), [everyone], JSON.stringify(principal));
                assert.deepEqual(check(publicTrustRule, assume(principal, { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } })), []);
            }
        });
        it("reports account roots (ARN in any partition, or a bare account id) without a guard; named roles and services pass", () => {
            const roots = ["arn:aws:iam::444455556666:root", "111122223333", "arn:aws-cn:iam::777788889999:root"];
            assert.deepEqual(check(publicTrustRule, assume({ AWS: [...roots, "arn:aws:iam::444455556666:role/x"] })), [
                unguarded(roots.join(", ")),
            ]);
            assert.deepEqual(check(publicTrustRule, assume({ AWS: roots[0] }, { StringEquals: { "sts:ExternalId": "vendor-42" } })), []);
            for (const principal of [
                { AWS: "arn:aws:iam::444455556666:role/x" },
                { AWS: "1234" },
                { AWS: "4444555566667" },
                { AWS: "x444455556666" },
                { AWS: "arn:aws:iam::444455556666:rootx" },
                { Service: "ec2.amazonaws.com" },
            ]) {
                assert.deepEqual(check(publicTrustRule, assume(principal)), [], JSON.stringify(principal));
            }
            assert.deepEqual(check(publicTrustRule, assume("*", undefined, "Deny")), []);
        });
        it("counts a guard by operator and value: negated, IfExists, ForAllValues and wildcard conditions guard nothing", () => {
            for (const Condition of [
                { StringNotEquals: { "sts:ExternalId": "x" } },
                { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123" } },
                { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abc123" } },
                { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } },
                { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
            ]) {
                assert.deepEqual(
                    check(publicTrustRule, assume({ AWS: "arn:aws:iam::444455556666:root" }, Condition)),
                    [unguarded("arn:aws:iam::444455556666:root")],
                    JSON.stringify(Condition),
                );
            }
        });
    });
});

describe("IAM scope helpers (policypack/lib/iam-scope.ts)", () => {
    it('coversEveryResource: "*" and ARNs whose resource part names no resource', () => {
        for (const arn of [
            "*",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*",
            "arn:aws:kms:eu-west-1:123456789012:key/*",
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:s3:::*",
            "arn:aws:s3:::*/*",
            "arn:aws:ec2:eu-west-1:123456789012:*",
            "arn:*:*:*:*:*",
            "arn:aws:*:eu-west-1:123456789012:thing",
            "arn:aws:logs:eu-west-1:123456789012:log-group:*",
        ]) {
            assert.equal(coversEveryResource(arn), true, arn);
        }
        for (const arn of [
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/*",
            "arn:aws:iam::123456789012:role/ci-*",
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::bucket*",
            "arn:aws:s3:::*/key",
            "arn:aws:kms:eu-west-1:123456789012:key/1234",
            "arn:aws:iam::123456789012:role/team/*",
            "arn:aws:ec2:eu-west-1:123456789012:9type/*",
            "arn:aws:ec2:eu-west-1:123456789012:type/**",
            "arn:aws:ec2:eu-west-1:123456789012:xtype/*y",
            "arn:aws:kms:eu-west-1:*",
            "xarn:aws:kms:eu-west-1:123456789012:key/*",
            "arn:*:*:x",
            "xarn:*:*:*:*:*",
            "**",
            "",
        ]) {
            assert.equal(coversEveryResource(arn), false, arn);
        }
    });

    const cond = (Condition: Json) => statement({ Effect: "Allow", Principal: "*", Condition });
    it("hasLimitingCondition: guard keys compared by equality with literal values that pin a caller", () => {
        for (const Condition of [
            { StringEquals: { "sts:ExternalId": "x" } },
            { stringequals: { "AWS:PrincipalOrgID": ["o-abc123", "o-def456"] } },
            { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-abc123/r-1/*" } },
            { StringEqualsIgnoreCase: { "aws:SourceAccount": "123456789012" } },
            { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci" } },
            { ArnLike: { "aws:SourceArn": "arn:aws:s3:::bucket" } },
            { ArnLike: { "aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:*" } },
            { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
            { StringEquals: { "aws:SourceOrgPaths": "o-abc123/" } },
            { StringEquals: { "kms:CallerAccount": "123456789012" } },
        ]) {
            assert.equal(hasLimitingCondition(cond(Condition)), true, JSON.stringify(Condition));
        }
        for (const Condition of [
            {},
            { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
            { StringNotEquals: { "sts:ExternalId": "x" } },
            { StringEqualsIfExists: { "sts:ExternalId": "x" } },
            { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abc123" } },
            { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
            { Null: { "sts:ExternalId": "false" } },
            { StringEquals: { "sts:ExternalId": [] } },
            { StringEquals: { "sts:ExternalId": ["x", "*"] } },
            { StringLike: { "sts:ExternalId": "ab?" } },
            { StringEquals: { "sts:ExternalId": "" } },
            { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } },
            { StringLike: { "aws:PrincipalArn": "arn:aws:iam::12345678901?:role/x" } },
            { ArnLike: { "aws:PrincipalArn": "arn:aws:iam:" } },
            { ArnLike: { "aws:SourceArn": "arn:aws:*:::bucket" } },
            { ArnLike: { "aws:SourceArn": "arn:aws:s3:::*" } },
            { ArnLike: { "aws:SourceArn": "arn:aws:s3:::?*" } },
            { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } },
            { IpAddress: { "aws:SourceIp": "::/0" } },
            { StringLike: { "aws:PrincipalOrgPaths": "*/r-1/*" } },
            { StringLike: { "aws:PrincipalOrgPaths": "o-*/r-1/*" } },
            { StringLike: { "aws:SourceOrgPaths": "xo-abc123/" } },
            { "foranyvalue:stringequalsx": { "sts:ExternalId": "x" } },
            { xStringEquals: { "sts:ExternalId": "x" } },
        ]) {
            assert.equal(hasLimitingCondition(cond(Condition)), false, JSON.stringify(Condition));
        }
    });
    it("isPublicPrincipal and isPublicAllow: anyone is a * principal or * among the AWS principals, in an unguarded Allow", () => {
        assert.equal(isPublicPrincipal(statement({ Principal: "*" })), true);
        assert.equal(isPublicPrincipal(statement({ Principal: { AWS: ["arn:aws:iam::1:root", "*"] } })), true);
        assert.equal(isPublicPrincipal(statement({ Principal: { AWS: "arn:aws:iam::1:root" } })), false);
        assert.equal(isPublicPrincipal(statement({ Principal: { Service: "*" } })), false);
        assert.equal(isPublicPrincipal(statement({})), false);
        assert.equal(isPublicAllow(statement({ Effect: "Allow", Principal: "*" })), true);
        assert.equal(isPublicAllow(statement({ Effect: "Deny", Principal: "*" })), false);
        assert.equal(isPublicAllow(statement({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" } })), false);
        assert.equal(
            isPublicAllow(statement({ Effect: "Allow", Principal: "*", Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } } })),
            false,
        );
    });
});
