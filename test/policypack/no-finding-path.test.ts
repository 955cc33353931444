/**
 * The resource rules' path for a resource with no finding (most resources): every rule returns the shared, frozen
 * NO_FINDINGS, builds nothing it would throw away, and the shortcuts it takes answer exactly as the long way they
 * skip. The shortcuts are held against the long way (written out here as the oracle) over inputs made to hit
 * their edges: key ids against JSON.stringify, ARN scopes against split-and-join, lower-case tests against
 * `toLowerCase`, the reused view against a fresh one per policy.
 */
import { strict as assert } from "node:assert";
import type { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { resolveConfig } from "../../policypack/config";
import { literalKeyIds } from "../../policypack/credentials";
import { abacGrantRule, abacTagChangeRule } from "../../policypack/abac";
import {
    adminRule,
    conditionKeyContextRule,
    hasAbacCondition,
    identityDocuments,
    notElementsRule,
    passRoleRule,
    starResourceRule,
    wildcardActionsRule,
} from "../../policypack/iam";
import { lowerCaseIn, parseDocument } from "../../policypack/lib/iam-document";
import { coversEveryResource, coversEveryRole } from "../../policypack/lib/iam-scope";
import { applies, isKubernetesKind, NO_FINDINGS, resourcePolicy, ResourceRule, ResourceView } from "../../policypack/lib/rule";
import { nodePoolLimitsRule } from "../../policypack/kubernetes";
import { resourceRules } from "../../policypack/policies";
import { missingTags } from "../../policypack/tags";
import { DENY_PLAIN_HTTP, policyJson as doc } from "../helpers/policy-json";

const TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };

/** One clean resource of each kind the rules judge most: no rule has anything to report about any of them. */
const CLEAN: Array<{ type: string; name: string; props: Record<string, unknown> }> = [
    {
        type: "aws:iam/role:Role",
        name: "role",
        props: {
            tags: TAGS,
            assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
            inlinePolicies: [{ name: "read", policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) }],
        },
    },
    {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "policy",
        props: {
            role: "role",
            policy: doc(
                { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::bucket/*" },
                { Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
                { Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" },
            ),
        },
    },
    {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "att",
        props: { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
    },
    { type: "aws:kms/key:Key", name: "key", props: { tags: TAGS, enableKeyRotation: true, deletionWindowInDays: 30 } },
    {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "bp",
        props: {
            bucket: "b",
            policy: doc(DENY_PLAIN_HTTP),
        },
    },
    {
        type: "aws:secretsmanager/secret:Secret",
        name: "secret",
        props: { tags: { ...TAGS, ekssecret: "team" }, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" },
    },
    { type: "aws:sqs/queue:Queue", name: "queue", props: { tags: TAGS, sqsManagedSseEnabled: true } },
    {
        type: "aws:cloudwatch/logGroup:LogGroup",
        name: "logs",
        props: { tags: TAGS, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k", retentionInDays: 90 },
    },
    {
        type: "kubernetes:helm.sh/v3:Release",
        name: "release",
        props: { chart: "external-secrets", version: "2.9.0", repositoryOpts: { repo: "https://charts.external-secrets.io" } },
    },
    {
        type: "kubernetes:karpenter.sh/v1:NodePool",
        name: "pool",
        props: { apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: "pool" }, spec: { limits: { cpu: "100" } } },
    },
    { type: "aws:sns/topic:Topic", name: "topic", props: { tags: TAGS, kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" } },
];

const view = (r: (typeof CLEAN)[number]): ResourceView => ({
    type: r.type,
    name: r.name,
    urn: `urn:pulumi:dev::p::${r.type}::${r.name}`,
    props: r.props,
    stackTags: new Map([["environment", "dev"]]),
});

/** The key-id search as it was before its shortcut: the JSON text of the inputs, searched. */
function keyIdsTheLongWay(props: unknown): string[] {
    const text = JSON.stringify(props) ?? "";
    return [...new Set(text.match(/(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g) ?? [])];
}

/** coversEveryResource as it was before it read the ARN by position: split on ":" and joined. */
function coversEveryResourceTheLongWay(resource: string): boolean {
    if (resource === "*") {
        return true;
    }
    const parts = resource.split(":");
    if (parts.length < 6 || parts[0] !== "arn") {
        return false;
    }
    const service = parts[2];
    const rest = parts.slice(5).join(":");
    if (service === "s3") {
        return rest === "*" || rest === "*/*";
    }
    return rest === "*" || /^[A-Za-z][A-Za-z0-9-]*([/:]\*)+$/.test(rest) || service === "*";
}

/** Every string of 1 to `length` pieces drawn from `pieces`, deterministic. */
function combinations(pieces: readonly string[], length: number): string[] {
    let level = [""];
    const all: string[] = [];
    for (let n = 0; n < length; n++) {
        level = level.flatMap((prefix) => pieces.map((p) => prefix + p));
        for (const s of level) {
            all.push(s);
        }
    }
    return all;
}

/** ARN-shaped strings around the forms coversEveryResource tells apart: prefixes, field counts, services and resource parts. */
function arnShapes(): string[] {
    const rests = combinations(["*", "/", ":", "role", "key", "?", "1", "-"], 4);
    const heads = [
        "arn:aws:s3::",
        "arn:aws:iam::123456789012",
        "arn:*:*:*:*",
        "arn:aws:s:r:1",
        "arn:aws:s3x:r:1",
        "arn:aws::r:1",
        "Arn:aws:s3::",
        "arnx:a:s3::",
        "arn:aws:s3:",
        // A service field that holds a `*` but is not `*` alone: only `*` names every service.
        "arn:aws:*x:r:1",
        "arn:aws:**:r:1",
        "arn:aws:x*:r:1",
    ];
    return [...rests, ...heads.flatMap((head) => rests.map((rest) => `${head}:${rest}`))];
}
describe("the rules' no-finding path (policypack/lib/rule.ts NO_FINDINGS and the shortcuts the rules take)", () => {
    it("NO_FINDINGS is empty and frozen: a caller that tried to add to it would fail", () => {
        assert.equal(NO_FINDINGS.length, 0);
        assert.ok(Object.isFrozen(NO_FINDINGS));
        assert.throws(() => (NO_FINDINGS as string[]).push("x"), TypeError);
    });

    it("every resource rule answers a clean resource with the shared NO_FINDINGS, not an array of its own", () => {
        let judged = 0;
        for (const resource of CLEAN) {
            for (const rule of resourceRules.filter((r) => applies(r, resource.type))) {
                const findings = rule.check(view(resource), resolveConfig({}, rule.name));
                assert.deepEqual(findings, [], `${rule.name} on ${resource.type}`);
                assert.equal(findings, NO_FINDINGS, `${rule.name} on ${resource.type} returned an array of its own`);
                judged++;
            }
        }
        // Every rule that judges these types was asked (a rule list that lost its members would pass without asking).
        assert.ok(judged >= 30, `only ${judged} rule/resource pairs judged`);
    });

    it("the wrapper reports nothing for NO_FINDINGS and every finding otherwise, in order", () => {
        const reporting = (findings: readonly string[]): string[] => {
            const rule: ResourceRule = {
                name: "test-rule",
                description: "test",
                enforcementLevel: "mandatory",
                types: ["aws:sns/topic:Topic"],
                check: () => findings,
            };
            const lines: string[] = [];
            const args = { ...view(CLEAN[CLEAN.length - 1]), getConfig: () => ({}) } as unknown as ResourceValidationArgs;
            void (resourcePolicy(rule).validateResource as ResourceValidation)(args, (m) => lines.push(String(m)));
            return lines;
        };
        assert.deepEqual(reporting(NO_FINDINGS), []);
        assert.deepEqual(reporting(["a", "b"]), ["a", "b"]);
    });

    it("the policies of one resource share its view while every field is the same, and get a new one when any differs", () => {
        const seen: ResourceView[] = [];
        const recording: ResourceRule = {
            name: "recording",
            description: "test",
            enforcementLevel: "mandatory",
            types: () => true,
            check: (r) => {
                seen.push(r);
                return NO_FINDINGS;
            },
        };
        const [first, second] = [resourcePolicy(recording), resourcePolicy({ ...recording, name: "recording-2" })].map(
            (p) => p.validateResource as ResourceValidation,
        );
        const base = {
            type: "aws:sns/topic:Topic",
            name: "t",
            urn: "urn:pulumi:dev::p::aws:sns/topic:Topic::t",
            props: { a: 1 },
            provider: { props: { region: "eu-west-1" } },
            stackTags: new Map<string, string>(),
            getConfig: () => ({}),
        };
        const run = (validate: ResourceValidation, args: object): ResourceView => {
            void validate(args as ResourceValidationArgs, () => undefined);
            return seen[seen.length - 1];
        };
        const shared = run(first, base);
        assert.equal(run(second, base), shared, "the same args: the same view");
        assert.equal(run(first, { ...base }), shared, "other args with the same values: the same view");
        const changes: Record<string, unknown> = {
            type: "aws:sqs/queue:Queue",
            name: "u",
            urn: "urn:pulumi:dev::p::aws:sns/topic:Topic::u",
            props: { a: 1 },
            provider: { props: { region: "us-east-1" } },
            stackTags: new Map([["environment", "prod"]]),
        };
        for (const [key, value] of Object.entries(changes)) {
            run(first, base);
            const changed = run(second, { ...base, [key]: value });
            assert.notEqual(changed, shared, `${key} changed: a new view`);
            const expected = key === "provider" ? (value as { props: unknown }).props : value;
            assert.equal(changed[key === "provider" ? "providerProps" : (key as keyof ResourceView)], expected, `${key} as given`);
        }
        const withoutProvider = run(first, { ...base, provider: undefined });
        assert.equal(withoutProvider.providerProps, undefined);
    });

    it("literalKeyIds finds what the JSON text of the inputs holds, in keys, values, arrays and next to escapes", () => {
        const key = "AKIAABCDEFGHIJKLMNOP";
        const temp = "ASIAZZZZZZZZZZZZZZZZ";
        const cases: unknown[] = [
            {},
            { a: "short AKIA" },
            { a: key },
            { a: `x${key}` },
            { a: `${key}Q` },
            { a: `1${key}` },
            { a: `${key}\n` },
            { a: `"${key}"` },
            { a: `\\${key}\\` },
            { a: [1, true, null, { deep: [temp] }] },
            { [key]: "value" },
            { [`prefix-${temp}`]: 1 },
            { a: `${key} and ${key} and ${temp}` },
            { a: "AKIAabcdefghijklmnop" },
            { a: "AKIA".padEnd(19, "Q") },
            { a: "ASIA".padEnd(20, "9") },
            { a: undefined, b: [undefined, key] },
            { a: 1e21, b: -0, c: Number.NaN },
            { a: "\u0000AKIA" + "A".repeat(16) },
        ];
        for (const props of cases) {
            assert.deepEqual(literalKeyIds(props as Record<string, unknown>), keyIdsTheLongWay(props), JSON.stringify(props));
        }
    });

    it("literalKeyIds writes no JSON text for inputs that hold no string that could be a key id", () => {
        const stringify = JSON.stringify;
        let calls = 0;
        JSON.stringify = ((...args: Parameters<typeof stringify>) => {
            calls++;
            return stringify(...args);
        }) as typeof stringify;
        try {
            literalKeyIds({ chart: "external-secrets", values: { nested: ["a", 1, { b: "AKIA too short" }] } });
            assert.equal(calls, 0, "no candidate: no JSON text");
            literalKeyIds({ values: { id: "AKIAABCDEFGHIJKLMNOP" } });
            assert.equal(calls, 1, "a candidate: the JSON text, searched");
        } finally {
            JSON.stringify = stringify;
        }
    });

    it("coversEveryResource and coversEveryRole answer as the split-and-join reading of the ARN did, over ARN-shaped strings", () => {
        const shapes = arnShapes();
        for (const resource of shapes) {
            assert.equal(coversEveryResource(resource), coversEveryResourceTheLongWay(resource), resource);
        }
        for (const resource of [
            "arn:aws:s3:::*",
            "arn:aws:s3:::*/*",
            "arn:aws:s3:::bucket/*",
            "arn:aws:kms:eu-west-1:123456789012:key/*",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*",
            "arn:aws:iam::123456789012:role/*/*",
            "arn:*:*:*:*:x",
            "arn:aws:ec2:eu-west-1:1:network-interface/*",
            "arn:aws:ec2:eu-west-1:1:subnet/subnet-1",
            "arn:aws:logs:eu-west-1:1:log-group:*:*",
            "Arn:aws:s3:::*",
        ]) {
            assert.equal(coversEveryResource(resource), coversEveryResourceTheLongWay(resource), resource);
        }
        assert.ok(shapes.filter(coversEveryResource).length > 100, "the shapes reach the true answers too");
        // coversEveryRole's shortcut (no `*`, no role of every kind) against its cases with and without one.
        for (const [resource, every] of [
            ["arn:aws:iam::123456789012:role/ci", false],
            ["arn:aws:iam::123456789012:role/ci-*", false],
            ["arn:aws:iam::123456789012:role/*", true],
            ["arn:aws:iam::*:role?*", true],
            ["*", true],
        ] as const) {
            assert.equal(coversEveryRole(resource), every, resource);
        }
    });

    it("isKubernetesKind answers as type.endsWith(`:${kind}`) after the kubernetes: prefix", () => {
        const kinds = ["SecretStore", "S", "", "ClusterSecretStore"];
        const types = combinations(["kubernetes", ":", "x/v1", "SecretStore", "Cluster", "S"], 4);
        for (const type of types) {
            for (const kind of kinds) {
                assert.equal(isKubernetesKind(type, kind), type.startsWith("kubernetes:") && type.endsWith(`:${kind}`), `${type} ${kind}`);
            }
        }
        assert.ok(types.some((type) => isKubernetesKind(type, "SecretStore")));
    });

    it("lowerCaseIn answers as names.includes(value.toLowerCase()), lengths and all, and takes lower-case ASCII names only", () => {
        const names = ["iam:passrole", "sts:assumerole", "kms:"];
        const test = lowerCaseIn(names);
        const values = [
            "iam:PassRole",
            "IAM:PASSROLE",
            "iam:passrole ",
            "iam:passrol",
            "sts:AssumeRole",
            "\u212Ams:", // KELVIN SIGN lower-cases to "k"
            "\u0130am:passrole", // LATIN CAPITAL I WITH DOT lower-cases to two characters
            "\u017Fts:assumerole", // LATIN SMALL LONG S stays as it is
            "KMS:",
            "kms;",
            "",
            "s3:GetObject", // the length of "iam:passrole", another action
            "iam:passrolE",
            "iam:p\u00e4ssrole", // beyond ASCII, lower-cased as it is
            "IAM:PASSROL\u212A",
            "\u212AMS:",
            "iam:passrole".toUpperCase().replace("A", "@"),
        ];
        for (const value of values) {
            assert.equal(test(value), names.includes(value.toLowerCase()), value);
        }
        // The neighbours of A-Z fold to nothing: "@" is not "`" and "[" is not "{".
        const edges = ["a`b", "a{b"];
        const edgeTest = lowerCaseIn(edges);
        for (const value of ["A@B", "a[b", "a`b", "A{B", "A`B"]) {
            assert.equal(edgeTest(value), edges.includes(value.toLowerCase()), value);
        }
        assert.throws(() => lowerCaseIn(["iam:PassRole"]), /not lower-case ASCII/);
        assert.throws(() => lowerCaseIn(["\u212Ams:"]), /not lower-case ASCII/);
    });

    it("identityDocuments hands every rule the same list for the same policy text, and none for a resource without one", () => {
        const policy = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" });
        const a = identityDocuments(view({ type: "aws:iam/policy:Policy", name: "a", props: { policy } }));
        const b = identityDocuments(view({ type: "aws:iam/rolePolicy:RolePolicy", name: "b", props: { policy: `${policy}` } }));
        assert.equal(a, b, "one list per parsed document");
        assert.deepEqual(a, [{ label: "policy", statements: parseDocument(policy) }]);
        assert.ok(Object.isFrozen(a));
        const none = identityDocuments(view({ type: "aws:iam/policy:Policy", name: "c", props: {} }));
        assert.deepEqual(none, []);
        assert.equal(identityDocuments(view({ type: "aws:iam/role:Role", name: "r", props: {} })), none, "the shared empty list");
        assert.deepEqual(
            identityDocuments(
                view({
                    type: "aws:iam/role:Role",
                    name: "r",
                    props: { inlinePolicies: [{ name: "x", policy }, { policy }, { name: "none" }] },
                }),
            ).map((d) => d.label),
            ['inline policy "x"', 'inline policy "1"'],
        );
    });

    it("a NodePool's limits count by their own keys, as Object.keys counts them (inherited ones are no limit)", () => {
        const pool = (limits: unknown): readonly string[] =>
            nodePoolLimitsRule.check(
                view({ type: "kubernetes:karpenter.sh/v1:NodePool", name: "p", props: { spec: { limits } } }),
                resolveConfig({}),
            );
        for (const limits of [{}, { cpu: "1" }, Object.create({ cpu: "1" }), [], ["x"], undefined]) {
            const expected = limits !== undefined && Object.keys(limits).length > 0;
            assert.equal(pool(limits).length === 0, expected, JSON.stringify(limits));
        }
    });

    it("hasAbacCondition on a statement without conditions is met only by an empty key list (every() over no keys)", () => {
        const [plain] = parseDocument(doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" })) ?? [];
        assert.equal(hasAbacCondition(plain, []), true);
        assert.equal(hasAbacCondition(plain, ["ekssecret"]), false);
    });

    it("missingTags answers none missing with a shared frozen list, and lists the missing in the order required", () => {
        const none = missingTags(TAGS, Object.keys(TAGS));
        assert.deepEqual(none, []);
        assert.ok(Object.isFrozen(none));
        assert.equal(missingTags({ ...TAGS }, ["owner"]), none);
        assert.deepEqual(missingTags({ owner: " " }, ["environment", "owner"]), ["environment", "owner"]);
    });

    it("the rules that visit statements through module state name the visited document and statement, after another resource's", () => {
        const clean = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };
        const role = (name: string, second: object[]): ResourceView =>
            view({
                type: "aws:iam/role:Role",
                name,
                props: {
                    inlinePolicies: [
                        { name: "first", policy: doc(clean) },
                        { name: "second", policy: doc(...second) },
                    ],
                },
            });
        const second = [
            clean,
            { Sid: "Named", Effect: "Allow", Action: "*", Resource: "*" },
            { Effect: "Deny", Action: "*", Resource: "*" },
            { Effect: "Allow", Action: "*:*", Resource: "*" },
            { Effect: "Allow", Action: "IAM:PassRole", Resource: "*" },
        ];
        // Another resource visited first: nothing of its visit may show in this one's messages.
        adminRule.check(role("other", [{ Effect: "Allow", Action: "*", Resource: "*" }]), resolveConfig({}, adminRule.name));
        const at = 'aws:iam/role:Role "r" inline policy "second"';
        assert.deepEqual(adminRule.check(role("r", second), resolveConfig({}, adminRule.name)), [
            `${at} statement "Named" allows every action ("*"): list the actions it needs.`,
            `${at} statement 4 allows every action ("*"): list the actions it needs.`,
        ]);
        // `*` and `*:*` grant iam:PassRole and sts:AssumeRole too, as IAM matches actions.
        assert.deepEqual(passRoleRule.check(role("r", second), resolveConfig({}, passRoleRule.name)), [
            `${at} statement "Named" allows * on every role: name the roles (or a name prefix) it may pass or assume.`,
            `${at} statement 4 allows *:* on every role: name the roles (or a name prefix) it may pass or assume.`,
            `${at} statement 5 allows IAM:PassRole on every role: name the roles (or a name prefix) it may pass.`,
        ]);
    });

    it("a role's inline policy name is read before its policy, as before the rewrite: an unknown name stops the IAM rules, named", () => {
        // The host's unknown-checking proxy (@pulumi/policy 1.21 proxy.js, internal: required as lib/dispatch.ts does).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const host = require("@pulumi/policy/proxy") as {
            unknownCheckingProxy: (value: object) => Record<string, unknown>;
            UnknownValueError: new (...args: never[]) => Error;
            unknownStringValue: string;
        };
        const rules = [
            adminRule,
            wildcardActionsRule,
            starResourceRule,
            passRoleRule,
            conditionKeyContextRule,
            notElementsRule,
            abacGrantRule,
            abacTagChangeRule,
        ];
        // No document, an unknown one, and a document: the name is met first every time.
        for (const policy of ["not a document", host.unknownStringValue, doc({ Effect: "Allow", Action: "*", Resource: "*" })]) {
            const props = host.unknownCheckingProxy({ inlinePolicies: [{ name: host.unknownStringValue, policy }] });
            for (const rule of rules) {
                assert.throws(
                    () => rule.check({ ...view({ type: "aws:iam/role:Role", name: "r", props: {} }), props }, resolveConfig({}, rule.name)),
                    (e: unknown) => e instanceof host.UnknownValueError && /\.inlinePolicies\.0\.name\b/.test((e as Error).message),
                    `${rule.name} with policy ${policy}`,
                );
            }
        }
    });
});
