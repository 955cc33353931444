/**
 * The ABAC rules (policypack/abac.ts) called directly, with each form a policy may take: broad
 * Secrets Manager and KMS grants (named actions, service wildcards, actions without resource-level
 * permissions) on "*" or a type-wide ARN; trust statements allowing sts:TagSession by name or any wildcard form (sts:*, sts:Tag*, *);
 * tagging actions by name, in any case, or through iam:* / secretsmanager:*; admin roles by pattern,
 * name, path; and SecretStores with each way of setting session tags.
 */
import { strict as assert } from "node:assert";
import { abacGrantRule, abacTagChangeRule, secretStoreRule, tagSessionRule } from "../../policypack/abac";
import { DEFAULT_CONFIG, PackConfig } from "../../policypack/config";
import { ResourceRule } from "../../policypack/lib/rule";

type Json = Record<string, unknown>;
const check = (rule: ResourceRule, type: string, props: Json, name = "x", config: PackConfig = DEFAULT_CONFIG) =>
    rule.check({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props, stackTags: new Map() }, config);
const RP = "aws:iam/rolePolicy:RolePolicy";
const policy = (...Statement: Json[]) => ({ role: "r", policy: JSON.stringify({ Statement }) });
let runs = 0;
/** A suffix not used before in this process. */
const fresh = () => `${Date.now().toString(36)}${(runs++).toString(36)}`;
const ABAC = { StringEquals: { "aws:ResourceTag/ekssecret": "${aws:PrincipalTag/ekssecret}" } };

describe("ABAC rules by form (policypack/abac.ts)", () => {
    describe("iam-policy-require-abac-condition", () => {
        const grants = (actions: string) =>
            `${RP} "x" policy statement 1 grants ${actions} on "*" without the ABAC condition: add StringEquals aws:ResourceTag/ekssecret = \${aws:PrincipalTag/...}.`;
        it("reports named and wildcard secret and key actions (any case) on * or a type-wide ARN, naming only those", () => {
            assert.deepEqual(
                check(
                    abacGrantRule,
                    RP,
                    policy({
                        Effect: "Allow",
                        Action: ["SecretsManager:GetSecretValue", "kms:*", "s3:GetObject", "kms:ListKeys"],
                        Resource: "*",
                    }),
                ),
                [grants("SecretsManager:GetSecretValue, kms:*")],
            );
            assert.deepEqual(
                check(
                    abacGrantRule,
                    RP,
                    policy({
                        Effect: "Allow",
                        Action: "kms:Decrypt",
                        Resource: ["arn:aws:kms:eu-west-1:123456789012:key/1", "arn:aws:kms:eu-west-1:123456789012:key/*"],
                    }),
                ),
                [grants("kms:Decrypt")],
            );
        });
        it("lets through the ABAC condition, Deny, scoped resources, and actions that take no resource", () => {
            for (const s of [
                { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: ABAC },
                { Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "*" },
                {
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/*",
                },
                { Effect: "Allow", Action: ["kms:ListKeys", "secretsmanager:ListSecrets", "s3:*"], Resource: "*" },
            ]) {
                assert.deepEqual(check(abacGrantRule, RP, policy(s)), [], JSON.stringify(s));
            }
        });
        it("names every configured ABAC key in the fix", () => {
            const config = { ...DEFAULT_CONFIG, abacTagKeys: ["ekssecret", "team"] };
            assert.deepEqual(
                check(abacGrantRule, RP, policy({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: ABAC }), "x", config),
                [
                    `${RP} "x" policy statement 1 grants kms:Decrypt on "*" without the ABAC condition: add StringEquals aws:ResourceTag/ekssecret = \${aws:PrincipalTag/...} and aws:ResourceTag/team = \${aws:PrincipalTag/...}.`,
                ],
            );
        });
    });

    describe("iam-role-constrain-tag-session", () => {
        const trust = (s: Json) => ({
            assumeRolePolicy: JSON.stringify({
                Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/eso" }, ...s }],
            }),
        });
        const anyKeys =
            'role "x" trust statement 1 allows sts:TagSession with any tag keys: add ForAllValues:StringEquals aws:TagKeys with the expected keys.';
        const anyValues =
            'role "x" trust statement 1 allows sts:TagSession with any tag values: constrain aws:RequestTag/<key> for the expected keys.';
        const ROLE = "aws:iam/role:Role";
        it("reports sts:TagSession allowed by name or any wildcard form, in any case, without key and value constraints", () => {
            // IAM matches actions case-insensitively and with `*` and `?` anywhere in the name (IAM User Guide, "IAM JSON
            // policy elements: Action"): every wildcard form that covers sts:TagSession grants it.
            for (const Action of [
                ["sts:AssumeRole", "STS:TagSession"],
                "sts:*",
                "*",
                "STS:*",
                "sts:Tag*",
                "sts:*Session",
                "Sts:tagsess?on",
                "*:TagSession",
                "s*",
            ]) {
                assert.deepEqual(check(tagSessionRule, ROLE, trust({ Action })), [anyKeys, anyValues], JSON.stringify(Action));
            }
            const keysOnly = { "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } };
            assert.deepEqual(check(tagSessionRule, ROLE, trust({ Action: "sts:TagSession", Condition: keysOnly })), [anyValues]);
            const valuesOnly = { StringEquals: { "aws:RequestTag/team": "a" } };
            assert.deepEqual(check(tagSessionRule, ROLE, trust({ Action: "sts:TagSession", Condition: valuesOnly })), [anyKeys]);
            const notForAll = { StringEquals: { "aws:TagKeys": ["team"], "aws:RequestTag/team": "a" } };
            assert.deepEqual(check(tagSessionRule, ROLE, trust({ Action: "sts:TagSession", Condition: notForAll })), [anyKeys]);
            // ForAllValues on the values key alone limits no key.
            const valuesForAll = { "ForAllValues:StringEquals": { "aws:RequestTag/team": ["a"] } };
            assert.deepEqual(check(tagSessionRule, ROLE, trust({ Action: "sts:TagSession", Condition: valuesForAll })), [anyKeys]);
        });
        it("lets through constrained keys and values, EKS Pod Identity, Deny, and trust without TagSession", () => {
            const both = { "ForAllValues:StringLike": { "aws:TagKeys": ["team"] }, StringEquals: { "aws:RequestTag/team": "a" } };
            assert.deepEqual(check(tagSessionRule, ROLE, trust({ Action: "sts:TagSession", Condition: both })), []);
            const podIdentity = {
                assumeRolePolicy: {
                    Statement: {
                        Effect: "Allow",
                        Principal: { Service: ["pods.eks.amazonaws.com"] },
                        Action: ["sts:AssumeRole", "sts:TagSession"],
                    },
                },
            };
            assert.deepEqual(check(tagSessionRule, ROLE, podIdentity), []);
            assert.deepEqual(
                check(tagSessionRule, ROLE, {
                    assumeRolePolicy: { Statement: { Effect: "Deny", Principal: "*", Action: "sts:TagSession" } },
                }),
                [],
            );
            assert.deepEqual(check(tagSessionRule, ROLE, trust({ Action: ["sts:AssumeRole", "sts:TagSessions"] })), []);
            // Wildcard forms that do not cover sts:TagSession.
            for (const Action of ["sts:Assume*", "sts:TagSession?", "sts:*Sessions", "iam:*", "sts:Tag?"]) {
                assert.deepEqual(check(tagSessionRule, ROLE, trust({ Action })), [], Action);
            }
            assert.deepEqual(check(tagSessionRule, ROLE, {}), []);
        });
    });

    describe("iam-policy-deny-abac-tag-changes", () => {
        const changes = (name: string, actions: string) =>
            `${RP} "${name}" policy statement 1 may change ABAC tags (${actions}): add ForAllValues:StringNotEquals aws:TagKeys [ekssecret] or list the role in adminRoles.`;
        it("reports tagging actions by name in any case, and iam:* / secretsmanager:*, naming them", () => {
            const actions = [
                "IAM:TagRole",
                "iam:untaguser",
                "secretsmanager:TagResource",
                "iam:*",
                "secretsmanager:*",
                "s3:*",
                "iam:GetRole",
            ];
            assert.deepEqual(check(abacTagChangeRule, RP, policy({ Effect: "Allow", Action: actions, Resource: "*" })), [
                changes("x", "IAM:TagRole, iam:untaguser, secretsmanager:TagResource, iam:*, secretsmanager:*"),
            ]);
        });
        it("reports every wildcard form that covers a tagging action, in any case, as IAM matches it (IAM User Guide, Action element)", () => {
            for (const Action of ["IAM:*", "iam:Tag*", "iam:*Role", "iam:?ntagUser", "SecretsManager:*Resource", "*"]) {
                assert.deepEqual(
                    check(abacTagChangeRule, RP, policy({ Effect: "Allow", Action, Resource: "*" })),
                    [changes("x", Action)],
                    Action,
                );
            }
            for (const Action of ["iam:Get*", "secretsmanager:Get*", "iam:Tag?", "s3:*Tagging", "iam:TagPolicy*"]) {
                assert.deepEqual(check(abacTagChangeRule, RP, policy({ Effect: "Allow", Action, Resource: "*" })), [], Action);
            }
        });
        it("lets through Deny, other actions, and a statement excluding every ABAC key with ForAllValues:StringNotEquals", () => {
            const exclude = (values: string[], operator = "ForAllValues:StringNotEquals") => ({ [operator]: { "aws:TagKeys": values } });
            assert.deepEqual(check(abacTagChangeRule, RP, policy({ Effect: "Deny", Action: "iam:TagRole", Resource: "*" })), []);
            assert.deepEqual(
                check(abacTagChangeRule, RP, policy({ Effect: "Allow", Action: ["iam:GetRole", "iam:TagPolicy"], Resource: "*" })),
                [],
            );
            assert.deepEqual(
                check(
                    abacTagChangeRule,
                    RP,
                    policy({ Effect: "Allow", Action: "iam:TagRole", Resource: "*", Condition: exclude(["team", "ekssecret"]) }),
                ),
                [],
            );
            const two = { ...DEFAULT_CONFIG, abacTagKeys: ["ekssecret", "team"] };
            assert.deepEqual(
                check(
                    abacTagChangeRule,
                    RP,
                    policy({ Effect: "Allow", Action: "iam:TagRole", Resource: "*", Condition: exclude(["ekssecret"]) }),
                    "x",
                    two,
                ),
                [
                    `${RP} "x" policy statement 1 may change ABAC tags (iam:TagRole): add ForAllValues:StringNotEquals aws:TagKeys [ekssecret, team] or list the role in adminRoles.`,
                ],
            );
            assert.equal(
                check(
                    abacTagChangeRule,
                    RP,
                    policy({ Effect: "Allow", Action: "iam:TagRole", Resource: "*", Condition: exclude(["ekssecret"], "StringNotEquals") }),
                ).length,
                1,
            );
            assert.equal(
                check(
                    abacTagChangeRule,
                    RP,
                    policy({
                        Effect: "Allow",
                        Action: "iam:TagRole",
                        Resource: "*",
                        Condition: { "ForAllValues:StringNotEquals": { "aws:RequestTag/ekssecret": ["ekssecret"] } },
                    }),
                ).length,
                1,
            );
        });
        it("lets admin roles through: by the pattern (with * as any run), the role input, the name input, or a path-qualified name", () => {
            const grant = { Effect: "Allow", Action: "iam:TagRole", Resource: "*" };
            // The rule compiles each pattern once per process: patterns not used before in this process (a fresh
            // suffix) make every run compile them, so a broken compilation cannot hide behind a kept one.
            const n = fresh();
            const admins = { ...DEFAULT_CONFIG, adminRoles: [`ops-admin-${n}`, `cip-*-deployer-deploy-${n}-*`, `a.b${n}`] };
            assert.deepEqual(check(abacTagChangeRule, RP, policy(grant), "x", admins).length, 1);
            assert.deepEqual(check(abacTagChangeRule, RP, { ...policy(grant), role: `cip-dev-deployer-deploy-${n}-x` }, "x", admins), []);
            assert.deepEqual(check(abacTagChangeRule, RP, { ...policy(grant), role: `cip-dev.1-deployer-deploy-${n}-` }, "x", admins), []);
            assert.deepEqual(check(abacTagChangeRule, RP, { ...policy(grant), role: `a.b${n}` }, "x", admins), []);
            assert.deepEqual(
                check(abacTagChangeRule, "aws:iam/policy:Policy", { name: `ops-admin-${n}`, policy: policy(grant).policy }, "x", admins),
                [],
            );
            assert.deepEqual(
                check(abacTagChangeRule, "aws:iam/policy:Policy", { policy: policy(grant).policy }, `ops-admin-${n}`, admins),
                [],
            );
            assert.deepEqual(
                check(abacTagChangeRule, RP, { ...policy(grant), role: `arn:aws:iam::123456789012:role/team/ops-admin-${n}` }, "x", admins),
                [],
            );
            // Regex characters in a pattern are literal; the whole name must match; a path prefix does not make a longer name an admin.
            assert.equal(check(abacTagChangeRule, RP, { ...policy(grant), role: `axb${n}` }, "x", admins).length, 1);
            assert.equal(check(abacTagChangeRule, RP, { ...policy(grant), role: `role/ops-admin-${n}-x` }, "x", admins).length, 1);
            assert.equal(check(abacTagChangeRule, RP, { ...policy(grant), role: `ops-admin-${n}/x` }, "x", admins).length, 1);
            assert.equal(check(abacTagChangeRule, RP, { ...policy(grant), role: `xops-admin-${n}` }, "x", admins).length, 1);
            assert.equal(check(abacTagChangeRule, RP, { ...policy(grant), role: `cip-dev-deployer-deploy-${n}` }, "x", admins).length, 1);
            assert.equal(
                check(abacTagChangeRule, RP, { ...policy(grant), role: `x-cip-dev-deployer-deploy-${n}-x` }, "x", admins).length,
                1,
            );
        });
    });

    describe("externalsecrets-store-deny-tenant-session-tags", () => {
        const STORE = "kubernetes:external-secrets.io/v1:SecretStore";
        const CLUSTER = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
        const tenant = 'SecretStore "x" sets session tags in a namespace tenants can edit: use the platform ClusterSecretStore.';
        it("reports a namespaced store setting session tags in any form, and reserved ESO tags in any store", () => {
            for (const aws of [
                { sessionTags: [{ key: "a", value: "b" }] },
                { sessionTagsPolicy: "Custom" },
                { sessionTagsPolicy: "Simple" },
                { customSessionTags: {} },
            ]) {
                assert.deepEqual(check(secretStoreRule, STORE, { spec: { provider: { aws } } }), [tenant], JSON.stringify(aws));
            }
            assert.deepEqual(
                check(secretStoreRule, CLUSTER, {
                    spec: { provider: { aws: { customSessionTags: { esoNamespace: "x", team: "a", esoStoreKind: "y" } } } },
                }),
                ['ClusterSecretStore "x" overrides ESO\'s tags esoNamespace, esoStoreKind in customSessionTags: remove them.'],
            );
        });
        it("lets through stores without session tags, cluster stores with their own tags, and other providers", () => {
            assert.deepEqual(
                check(secretStoreRule, STORE, { spec: { provider: { aws: { sessionTags: [], sessionTagsPolicy: "None" } } } }),
                [],
            );
            assert.deepEqual(
                check(secretStoreRule, CLUSTER, {
                    spec: { provider: { aws: { sessionTagsPolicy: "Custom", customSessionTags: { team: "a" } } } },
                }),
                [],
            );
            assert.deepEqual(check(secretStoreRule, STORE, { spec: { provider: { vault: {} } } }), []);
            assert.deepEqual(check(secretStoreRule, STORE, {}), []);
            assert.deepEqual(check(secretStoreRule, STORE, { spec: {} }), [], "no provider yet");
        });
    });
});
