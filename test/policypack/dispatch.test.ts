import { strict as assert } from "node:assert";
import * as path from "node:path";
import { types } from "node:util";
import type { Policies, StackValidationPolicy } from "@pulumi/policy";
import { dispatchByType, pendingType } from "../../policypack/lib/dispatch";
import { shareDeserializedInputs } from "../../policypack/lib/shared-inputs";
import { appliesToType, policies, stackAppliesToTypes, stackRules } from "../../policypack/policies";
import { syntheticStack } from "../../bench/stats";

// The host's own server module and protobuf classes, from the @pulumi/policy the pack is served by.
/* eslint-disable @typescript-eslint/no-require-imports */
const policyDir = path.dirname(require.resolve("@pulumi/policy", { paths: [path.join(__dirname, "..", "..", "policypack")] }));
const server = require(path.join(policyDir, "server.js")) as {
    makeAnalyzeRpcFun(name: string, version: string, level: string, policies: Policies): AnalyzeRpc;
    makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: Policies): AnalyzeRpc;
    makeRemediateRpcFun(name: string, version: string, level: string, policies: Policies): AnalyzeRpc;
};
const analyzerProto = require(require.resolve("@pulumi/pulumi/proto/analyzer_pb", { paths: [policyDir] }));
const structProto = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [policyDir] }));
/* eslint-enable @typescript-eslint/no-require-imports */

interface AnalyzeResponseLike {
    getDiagnosticsList(): Array<{
        getPolicyname(): string;
        getMessage(): string;
        getEnforcementlevel(): number;
        getDescription(): string;
        getUrn(): string;
    }>;
    getNotApplicableList(): Array<{ getPolicyName(): string; getReason(): string }>;
}
type AnalyzeRpc = (call: { request: unknown }, callback: (err: unknown, response?: AnalyzeResponseLike) => void) => void;

const TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };
/** The synthetic stack's mix plus resources that fail the new rules, so findings exist to compare. */
const resources = [
    ...syntheticStack(22),
    { type: "aws:eks/cluster:Cluster", name: "open", inputs: { tags: TAGS } },
    { type: "aws:sns/topic:Topic", name: "plain", inputs: { tags: TAGS } },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "v1", inputs: { tags: TAGS } },
    {
        type: "aws:iam/role:Role",
        name: "admin",
        inputs: { tags: TAGS, managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
    },
    { type: "random:index/randomPet:RandomPet", name: "pet", inputs: {} },
];

function request(r: { type: string; name: string; inputs: Record<string, unknown> }): unknown {
    const q = new analyzerProto.AnalyzeRequest();
    q.setType(r.type);
    q.setName(r.name);
    q.setUrn(`urn:pulumi:dev::p::${r.type}::${r.name}`);
    q.setProperties(structProto.Struct.fromJavaScript(r.inputs));
    q.setOptions(new analyzerProto.AnalyzerResourceOptions());
    return q;
}

/** Analyze calls as the engine makes them, all in flight at once (so the host's awaits interleave). */
async function analyzeAll(list: Policies): Promise<AnalyzeResponseLike[]> {
    const analyze = server.makeAnalyzeRpcFun("ciplatform", "0.1.0", "mandatory", list);
    return Promise.all(
        resources.map(
            (r) =>
                new Promise<AnalyzeResponseLike>((resolve, reject) =>
                    analyze({ request: request(r) }, (err, response) => (err || !response ? reject(err) : resolve(response))),
                ),
        ),
    );
}

function stackRequest(list: Array<{ type: string; name: string; inputs: Record<string, unknown> }>): unknown {
    const q = new analyzerProto.AnalyzeStackRequest();
    q.setResourcesList(
        list.map((r) => {
            const a = new analyzerProto.AnalyzerResource();
            a.setType(r.type);
            a.setName(r.name);
            a.setUrn(`urn:pulumi:dev::p::${r.type}::${r.name}`);
            a.setProperties(structProto.Struct.fromJavaScript(r.inputs));
            a.setOptions(new analyzerProto.AnalyzerResourceOptions());
            return a;
        }),
    );
    return q;
}

async function analyzeStack(
    list: Policies,
    stack: Array<{ type: string; name: string; inputs: Record<string, unknown> }>,
): Promise<AnalyzeResponseLike> {
    const analyze = server.makeAnalyzeStackRpcFun("ciplatform", "0.1.0", "mandatory", list);
    return new Promise((resolve, reject) =>
        analyze({ request: stackRequest(stack) }, (err, response) => (err || !response ? reject(err) : resolve(response))),
    );
}

/**
 * A plain copy of the pack's policy list, made without its iterator. When the pack is served in this process
 * (mutation testing, test/helpers/pack.ts) `policies` is the list index.ts installed dispatch on, and the module's
 * note is shared: a spread (`[...policies]`) right after a loop over a list without dispatch (the baseline) would
 * take that loop's leftover type and copy only that type's policies. `slice` reads by index.
 */
const plainCopy = (): Policies => policies.slice();

const findings = (responses: AnalyzeResponseLike[]) =>
    responses.map((r) => r.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage()}`));

describe("dispatch by type (lib/dispatch) in the policy host's Analyze handler", () => {
    // The pack's own predicates (policypack/index.ts installs dispatch with them).
    const appliesTo = appliesToType;
    const stackAppliesTo = stackAppliesToTypes;

    it("gives the same findings as walking every policy, with interleaved calls, and skips the policies that do not apply", async () => {
        const baseline = await analyzeAll(plainCopy());
        const dispatched: Policies = plainCopy();
        assert.equal(dispatchByType(dispatched, appliesTo), true);
        const responses = await analyzeAll(dispatched);
        assert.deepEqual(findings(responses), findings(baseline));
        assert.ok(findings(baseline).flat().length >= 5, "the fixtures produce findings to compare");
        // The engine counts a policy neither failed nor not applicable as passed (pulumi/pulumi pkg/resource/analyzer,
        // newPolicySummary): every policy that does not apply is still reported as not applicable, with dispatch too.
        const notApplicable = (r: (typeof responses)[number]) =>
            r
                .getNotApplicableList()
                .map((n) => n.getPolicyName())
                .sort();
        assert.ok(baseline.every((r) => r.getNotApplicableList().length > 0));
        const policyCount = policies.filter((p) => "validateResource" in p).length;
        responses.forEach((r, i) => {
            const reported = notApplicable(r);
            assert.ok(reported.length > 0, "policies that do not apply are reported");
            assert.ok(
                notApplicable(baseline[i]).every((name) => reported.includes(name)),
                "every policy the host reports as not applicable without dispatch is reported with it",
            );
            assert.ok(reported.length <= policyCount);
        });
        assert.equal(pendingType(), undefined, "every noted type was taken by its policy loop");
    });

    it("AnalyzeStack walks only the stack rules that read a type the stack holds, with the same findings", async () => {
        const dispatched: Policies = plainCopy();
        dispatchByType(dispatched, appliesTo, stackAppliesTo);
        const unencryptedBucket = { type: "aws:s3/bucketV2:BucketV2", name: "b", inputs: { tags: TAGS } };
        const badPod = {
            type: "kubernetes:core/v1:Pod",
            name: "p",
            inputs: {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "p", namespace: "default" },
                spec: { containers: [{ name: "c", image: "i", securityContext: { privileged: true } }] },
            },
        };
        for (const stack of [
            [...resources, unencryptedBucket],
            [...resources, unencryptedBucket, badPod],
        ]) {
            const baseline = await analyzeStack(plainCopy(), stack);
            const response = await analyzeStack(dispatched, stack);
            assert.deepEqual(findings([response]), findings([baseline]));
            assert.ok(
                findings([baseline])
                    .flat()
                    .some((f) => f.startsWith("s3-bucket-require-kms-and-tls")),
            );
        }
        assert.ok(
            findings([await analyzeStack(dispatched, [badPod])])
                .flat()
                .some((f) => f.startsWith("kubernetes-workload-require-pod-security")),
        );
        // What the loop walks for a stack without Kubernetes workloads: not the Pod Security stack rule.
        (stackRequest(resources) as { getResourcesList(): unknown[] }).getResourcesList();
        const walked = [...dispatched].map((p) => p.name);
        assert.ok(walked.includes("s3-bucket-require-kms-and-tls") && walked.includes("pack-report-exemptions"));
        assert.ok(!walked.includes("kubernetes-workload-require-pod-security"));
        // The records of the stack policies left out wait for a response built in the same step, then go.
        await Promise.resolve();
        assert.equal(pendingType(), undefined);
    });

    it("any other walk of the list (GetAnalyzerInfo, the pack's own code) sees every policy", async () => {
        const dispatched: Policies = plainCopy();
        dispatchByType(dispatched, appliesTo);
        assert.deepEqual(
            [...dispatched].map((p) => p.name),
            policies.map((p) => p.name),
        );
        // A type noted by a request is taken once, by the loop that follows it: only the resource policies that apply.
        (request({ type: "aws:sns/topic:Topic", name: "t", inputs: {} }) as { getType(): string }).getType();
        const forTopic = [...dispatched].map((p) => p.name);
        assert.ok(forTopic.includes("sns-topic-require-kms") && !forTopic.includes("sqs-queue-require-encryption"));
        assert.ok(!forTopic.includes("pack-report-exemptions"), "the Analyze loop skips stack policies itself");
        // A loop that is not the host's leaves no records behind for the next response.
        await Promise.resolve();
        assert.equal(pendingType(), undefined);
        assert.equal([...dispatched].length, policies.length);
    });

    it("reports every policy left out as not applicable, once per policy, and reuses the bytes of a response without findings", async () => {
        const dispatched: Policies = plainCopy();
        dispatchByType(dispatched, appliesTo);
        const [first, second] = await analyzeAll(dispatched).then((all) => [all[0], all[11]]);
        // Resources 0 and 11 of the synthetic stack are both IAM roles without findings.
        assert.equal(resources[0].type, resources[11].type);
        const names = (r: AnalyzeResponseLike) => r.getNotApplicableList().map((n) => n.getPolicyName());
        const expected = policies.filter((p) => "validateResource" in p && !appliesTo(p, "aws:iam/role:Role")).map((p) => p.name);
        assert.deepEqual(names(first), expected);
        // The name alone: the engine reads nothing else of a record (pulumi/pulumi pkg/resource/analyzer/summary.go), and a
        // reason repeated in every response was most of its bytes (docs/performance.md).
        assert.deepEqual(
            first.getNotApplicableList().map((n) => n.getReason()),
            expected.map(() => ""),
        );
        const bytes = (r: AnalyzeResponseLike) => Buffer.from((r as unknown as { serializeBinary(): Uint8Array }).serializeBinary());
        assert.deepEqual(bytes(second), bytes(first));
        // The bytes are the host's own encoding of that response.
        const rebuilt = new analyzerProto.AnalyzeResponse();
        rebuilt.setNotApplicableList(first.getNotApplicableList());
        assert.deepEqual(bytes(first), Buffer.from(rebuilt.serializeBinary()));
    });

    it("leaves out of the records a policy the stack's config disables, as the host skips it", async () => {
        const dispatched: Policies = plainCopy();
        dispatchByType(dispatched, appliesTo);
        const configure = (level: number) => {
            const q = new analyzerProto.ConfigureAnalyzerRequest();
            const config = new analyzerProto.PolicyConfig();
            config.setEnforcementlevel(level);
            config.setProperties(structProto.Struct.fromJavaScript({}));
            q.getPolicyconfigMap().set("sqs-queue-require-encryption", config);
            // What the host's gRPC server does with the request's bytes before its configure handler reads them.
            analyzerProto.ConfigureAnalyzerRequest.deserializeBinary(q.serializeBinary());
        };
        const listed = async () =>
            (await analyzeAll(dispatched))[0]
                .getNotApplicableList()
                .map((n) => n.getPolicyName())
                .includes("sqs-queue-require-encryption");
        try {
            configure(analyzerProto.EnforcementLevel.DISABLED);
            assert.equal(await listed(), false);
        } finally {
            configure(analyzerProto.EnforcementLevel.MANDATORY);
        }
        assert.equal(await listed(), true);
    });

    it("leaves out of the records a policy disabled by its own level, as the host skips it", async () => {
        const off: Policies[number] = {
            name: "off-by-default",
            description: "a policy whose own level is disabled",
            enforcementLevel: "disabled",
            validateResource: () => undefined,
        };
        const dispatched: Policies = [...plainCopy(), off];
        dispatchByType(dispatched, (p, type) => p !== off && appliesTo(p, type));
        const [response] = await analyzeAll(dispatched);
        const names = response.getNotApplicableList().map((n) => n.getPolicyName());
        assert.ok(names.length > 0);
        assert.ok(!names.includes("off-by-default"));
    });

    describe("with the pack's identity: the policies that apply run in one host call", () => {
        const pack = { name: "ciplatform", version: "0.1.0", enforcementLevel: "mandatory" as const };
        // The engine's marker for a value not known during preview (pulumi/pulumi sdk/go/common/resource/plugin/rpc.go UnknownStringValue).
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const previewRole = {
            type: "aws:iam/role:Role",
            name: "preview",
            inputs: { tags: TAGS, assumeRolePolicy: UNKNOWN, managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
        };
        const everything = (responses: AnalyzeResponseLike[]) =>
            responses.map((r) => ({
                findings: r
                    .getDiagnosticsList()
                    .map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getDescription(), d.getUrn(), d.getMessage()].join(" | ")),
                notApplicable: r
                    .getNotApplicableList()
                    .map((n) => n.getPolicyName())
                    .sort(),
            }));
        const configure = (levels: Record<string, number>) => {
            const q = new analyzerProto.ConfigureAnalyzerRequest();
            for (const [name, level] of Object.entries(levels)) {
                const config = new analyzerProto.PolicyConfig();
                config.setEnforcementlevel(level);
                config.setProperties(structProto.Struct.fromJavaScript({}));
                q.getPolicyconfigMap().set(name, config);
            }
            return q;
        };
        // The host's configure handler is not exported: the pack reads the request the gRPC server decodes, the
        // baseline gets the same config through the handler of a real server (serve() is once per process), so both
        // are compared here without config, and with config through the host tests' real policy host.
        it("gives the same findings (name, level, description, message), preview advisories and not-applicable records as the host's own loop", async () => {
            resources.push(previewRole);
            try {
                const baseline = await analyzeAll(plainCopy());
                const dispatched: Policies = plainCopy();
                assert.equal(dispatchByType(dispatched, appliesTo, undefined, pack), true);
                const responses = await analyzeAll(dispatched);
                const expected = everything(baseline).map((r, i) => ({
                    findings: r.findings,
                    // Without dispatch the host also runs (and records nothing for) the policies that apply; with it the rest are recorded.
                    notApplicable: policies
                        .filter((p) => "validateResource" in p && !appliesTo(p, resources[i].type))
                        .map((p) => p.name)
                        .sort(),
                }));
                assert.deepEqual(everything(responses), expected);
                const preview = everything(responses).at(-1)?.findings ?? [];
                assert.ok(
                    preview.some((f) =>
                        f.includes("can't run policy 'iam-role-deny-public-trust' from policy pack 'ciplatform@v0.1.0' during preview"),
                    ),
                );
                assert.ok(
                    preview.some((f) => f.startsWith("iam-policy-deny-admin-access | 1 |")),
                    "the other policies still run",
                );
                // A response with findings is encoded as the host would encode it (the records appended as bytes).
                for (const r of responses) {
                    const decoded = analyzerProto.AnalyzeResponse.deserializeBinary(
                        (r as unknown as { serializeBinary(): Uint8Array }).serializeBinary(),
                    ) as AnalyzeResponseLike;
                    assert.deepEqual(everything([decoded]), everything([r]));
                }
            } finally {
                resources.pop();
            }
        });

        it("members read inputs without the host's unknown-checking proxy when nothing is unknown, and through it otherwise", async () => {
            // What each member saw: the host's proxy answers its special key (@pulumi/policy proxy.js isSpecialProxy).
            const seen: Array<{ name: string; proxied: boolean; anyProxy: boolean; tag: unknown }> = [];
            const probe = (name: string): Policies[number] => ({
                name,
                description: name,
                enforcementLevel: "mandatory",
                validateResource: (args) => {
                    seen.push({
                        name: args.name,
                        proxied: (args.props as Record<string, unknown>).__isSpecialProxy === true,
                        // With the pack's shared, lazily deserialized inputs: the plain object behind them, no trap per read.
                        anyProxy: types.isProxy(args.props),
                        tag: args.props.tags?.a,
                    });
                },
            });
            const list: Policies = [probe("probe-one"), probe("probe-two")];
            assert.equal(shareDeserializedInputs(), true);
            assert.equal(
                dispatchByType(list, () => true, undefined, pack),
                true,
            );
            const analyze = server.makeAnalyzeRpcFun("ciplatform", "0.1.0", "mandatory", list);
            const run = (r: { type: string; name: string; inputs: Record<string, unknown> }) =>
                new Promise<void>((resolve, reject) => analyze({ request: request(r) }, (err) => (err ? reject(err) : resolve())));
            await run({ type: "aws:s3/bucketV2:BucketV2", name: "known", inputs: { tags: { a: "1" }, list: [1, { b: "x" }] } });
            await run({ type: "aws:s3/bucketV2:BucketV2", name: "unknown", inputs: { tags: { a: "1" }, list: [1, { b: UNKNOWN }] } });
            assert.deepEqual(seen, [
                { name: "known", proxied: false, anyProxy: false, tag: "1" },
                { name: "known", proxied: false, anyProxy: false, tag: "1" },
                { name: "unknown", proxied: true, anyProxy: true, tag: "1" },
                { name: "unknown", proxied: true, anyProxy: true, tag: "1" },
            ]);
        });

        it("AnalyzeStack members read the inputs of the resources they declare plainly when nothing is unknown, through the host's proxy otherwise", async () => {
            assert.equal(shareDeserializedInputs(), true);
            const seen: Array<{ policy: string; name: string; proxied: boolean; anyProxy: boolean; tag: unknown }> = [];
            const probe = (name: string): StackValidationPolicy => ({
                name,
                description: name,
                enforcementLevel: "advisory",
                validateStack: (args) => {
                    for (const r of args.resources) {
                        seen.push({
                            policy: name,
                            name: r.name,
                            proxied: (r.props as Record<string, unknown>).__isSpecialProxy === true,
                            anyProxy: types.isProxy(r.props),
                            tag: r.props.tags?.a,
                        });
                    }
                },
            });
            const list: Policies = [probe("stack-probe-one"), probe("stack-probe-two")];
            dispatchByType(
                list,
                () => true,
                undefined,
                pack,
                () => (type) => type === "aws:s3/bucketV2:BucketV2",
            );
            const stack = [
                { type: "aws:s3/bucketV2:BucketV2", name: "known", inputs: { tags: { a: "1" }, list: [1, { b: "x" }] } },
                { type: "aws:s3/bucketV2:BucketV2", name: "unknown", inputs: { tags: { a: "1" }, list: [1, { b: UNKNOWN }] } },
                { type: "aws:sqs/queue:Queue", name: "not-read", inputs: { tags: { a: "1" } } },
            ];
            await new Promise<void>((resolve, reject) =>
                server.makeAnalyzeStackRpcFun(
                    "ciplatform",
                    "0.1.0",
                    "mandatory",
                    list,
                )({ request: stackRequest(stack) }, (err) => (err ? reject(err) : resolve())),
            );
            assert.deepEqual(
                seen,
                ["stack-probe-one", "stack-probe-two"].flatMap((policy) => [
                    { policy, name: "known", proxied: false, anyProxy: false, tag: "1" },
                    { policy, name: "unknown", proxied: true, anyProxy: true, tag: "1" },
                ]),
            );
            await Promise.resolve();
            assert.equal(pendingType(), undefined);
        });

        it("AnalyzeStack hands its stack policies lazily deserialized inputs (most stack resources are never read)", async () => {
            assert.equal(shareDeserializedInputs(), true);
            const lazy: boolean[] = [];
            const probe = (name: string): Policies[number] => ({
                name,
                description: name,
                enforcementLevel: "mandatory",
                validateStack: (args) => {
                    for (const r of args.resources) {
                        lazy.push(types.isProxy((r.props as Record<string, unknown>).__getSpecialProxyTarget));
                    }
                },
            });
            const list: Policies = [probe("stack-probe-one"), probe("stack-probe-two")];
            dispatchByType(list, () => true, undefined, pack);
            const analyze = server.makeAnalyzeStackRpcFun("ciplatform", "0.1.0", "mandatory", list);
            await new Promise<void>((resolve, reject) =>
                analyze({ request: stackRequest(resources.slice(0, 2)) }, (err) => (err ? reject(err) : resolve())),
            );
            assert.deepEqual(lazy, [true, true, true, true]);
        });

        it("members of every form a policy may take give what the host's own loop gives: object reports, async, lists, not applicable, type hints", async () => {
            type ObjectReport = (violation: Record<string, string>) => void;
            const hinted = Object.assign((_args: unknown, report: (m: string) => void) => report("hinted"), {
                __pulumiType: "aws:sqs/queue:Queue",
            });
            const probes: Policies = [
                {
                    name: "probe-object",
                    description: "reports objects",
                    enforcementLevel: "advisory",
                    severity: "low",
                    validateResource: (_args, report) => {
                        (report as unknown as ObjectReport)({ message: "only a message" });
                        (report as unknown as ObjectReport)({
                            name: "renamed",
                            description: "own",
                            enforcementLevel: "mandatory",
                            severity: "high",
                        });
                        (report as unknown as ObjectReport)({ description: "a description as the message" });
                        report("");
                    },
                },
                {
                    name: "probe-async",
                    description: "reports later",
                    enforcementLevel: "mandatory",
                    validateResource: async (args, report) => {
                        await new Promise((resolve) => setImmediate(resolve));
                        report(`later ${args.name}`);
                    },
                },
                {
                    name: "probe-list",
                    description: "a list of validations",
                    enforcementLevel: "mandatory",
                    validateResource: [
                        (_args, report) => report("first"),
                        async (_args, report) => {
                            await Promise.resolve();
                            report("second");
                        },
                        (_args, report) => report("third"),
                    ],
                },
                {
                    name: "probe-not-applicable",
                    description: "not for this resource",
                    enforcementLevel: "mandatory",
                    validateResource: (args) => args.notApplicable("not for this one"),
                },
                {
                    name: "probe-not-applicable-bare",
                    description: "no reason",
                    enforcementLevel: "mandatory",
                    validateResource: (args) => args.notApplicable(),
                },
                { name: "probe-hinted", description: "a queue's", enforcementLevel: "mandatory", validateResource: hinted },
                {
                    name: "probe-plain",
                    description: "plain",
                    enforcementLevel: "mandatory",
                    validateResource: (_args, report) => report("plain"),
                },
            ];
            const analyze = (list: Policies, r: { type: string; name: string; inputs: Record<string, unknown> }) =>
                new Promise<AnalyzeResponseLike>((resolve, reject) =>
                    server.makeAnalyzeRpcFun(
                        "ciplatform",
                        "0.1.0",
                        "mandatory",
                        list,
                    )({ request: request(r) }, (err, response) => (err || !response ? reject(err) : resolve(response))),
                );
            const withReasons = (r: AnalyzeResponseLike) => ({
                ...everything([r])[0],
                severities: r.getDiagnosticsList().map((d) => (d as unknown as { getSeverity(): number }).getSeverity()),
                reasons: r
                    .getNotApplicableList()
                    .map((n) => `${n.getPolicyName()}: ${n.getReason()}`)
                    .sort(),
            });
            const dispatched = probes.slice();
            assert.equal(
                dispatchByType(dispatched, () => true, undefined, pack),
                true,
            );
            for (const r of [
                { type: "aws:s3/bucketV2:BucketV2", name: "bucket", inputs: { tags: { a: "1" } } },
                { type: "aws:sqs/queue:Queue", name: "queue", inputs: {} },
            ]) {
                const baseline = withReasons(await analyze(probes.slice(), r));
                assert.ok(baseline.findings.length >= 7, JSON.stringify(baseline));
                const response = await analyze(dispatched, r);
                assert.deepEqual(withReasons(response), baseline, r.type);
                // And on the wire: findings and the members' records, encoded by the pack (lib/diagnostics-encoding.ts).
                const wire = analyzerProto.AnalyzeResponse.deserializeBinary(
                    (response as unknown as { serializeBinary(): Uint8Array }).serializeBinary(),
                ) as AnalyzeResponseLike;
                assert.deepEqual(withReasons(wire), baseline, `${r.type}, as sent`);
            }
            // A member that fails is reported as the host reports a failing policy.
            const failing: Policies = [
                {
                    name: "probe-fails",
                    description: "fails",
                    enforcementLevel: "mandatory",
                    validateResource: () => Promise.reject(new Error("boom")),
                },
                {
                    name: "probe-plain",
                    description: "plain",
                    enforcementLevel: "mandatory",
                    validateResource: (_args, report) => report("plain"),
                },
            ];
            dispatchByType(failing, () => true, undefined, pack);
            await assert.rejects(analyze(failing, { type: "aws:s3/bucketV2:BucketV2", name: "b", inputs: {} }), (err: Error) =>
                /Error validating resource with policy 'probe-fails' from policy pack 'ciplatform@v0\.1\.0'[\s\S]*boom/.test(err.message),
            );
        });

        it("Remediate before each Analyze, as the engine calls them: nothing carries over, and remediations run as the host runs them", async () => {
            // pulumi/pulumi pkg/resource/deploy/step_generator.go ("First pass: perform remediations"): every resource goes to
            // Remediate, whatever the levels, then to Analyze. The host's Remediate handler reads the type and walks the
            // same list (@pulumi/policy 1.21 server.js makeRemediateRpcFun), so it is served by the dispatch too.
            const fixOnly: Policies[number] = {
                name: "probe-fix-only",
                description: "remediates, validates nothing",
                enforcementLevel: "remediate",
                remediateResource: (args) => ({ ...args.props, fixedBy: [...((args.props.fixedBy as string[]) ?? []), "fix-only"] }),
            };
            const fixAndCheck: Policies[number] = {
                name: "probe-fix-and-check",
                description: "remediates and validates",
                enforcementLevel: "remediate",
                validateResource: (args, report) => (args.props.fixedBy ? undefined : report("not remediated")),
                remediateResource: (args) => ({ ...args.props, fixedBy: [...((args.props.fixedBy as string[]) ?? []), "fix-and-check"] }),
            };
            const rpc = (make: typeof server.makeAnalyzeRpcFun, list: Policies, r: (typeof resources)[number]) =>
                new Promise<Uint8Array>((resolve, reject) =>
                    make(
                        "ciplatform",
                        "0.1.0",
                        "mandatory",
                        list,
                    )({ request: request(r) }, (err, response) =>
                        err || !response
                            ? reject(err)
                            : resolve((response as unknown as { serializeBinary(): Uint8Array }).serializeBinary()),
                    ),
                );
            const remediations = (bytes: Uint8Array) => {
                const response = analyzerProto.RemediateResponse.deserializeBinary(bytes);
                return {
                    remediated: response
                        .getRemediationsList()
                        .map(
                            (m: { getPolicyname(): string; getProperties(): { toJavaScript(): unknown } | undefined }) =>
                                `${m.getPolicyname()} ${JSON.stringify(m.getProperties()?.toJavaScript())}`,
                        ),
                    notApplicable: response
                        .getNotApplicableList()
                        .map((n: { getPolicyName(): string }) => n.getPolicyName())
                        .sort(),
                };
            };
            const analysis = (bytes: Uint8Array) => {
                const [e] = everything([analyzerProto.AnalyzeResponse.deserializeBinary(bytes) as AnalyzeResponseLike]);
                // The engine reads findings in any order (a remediating policy is walked first with dispatch).
                return { findings: [...e.findings].sort(), probesNotApplicable: e.notApplicable.filter((n) => n.startsWith("probe-")) };
            };
            /** Each resource to Remediate then Analyze, one call at a time: the bytes of both answers. */
            const serve = async (list: Policies, remediate: boolean) => {
                const answers: Array<{ remediate?: Uint8Array; analyze: Uint8Array }> = [];
                for (const r of resources) {
                    const remediated = remediate ? await rpc(server.makeRemediateRpcFun, list, r) : undefined;
                    answers.push({ remediate: remediated, analyze: await rpc(server.makeAnalyzeRpcFun, list, r) });
                }
                return answers;
            };

            // The pack as it is: Analyze answers byte for byte as without Remediate before it, and Remediate as the host's own loop.
            const dispatched: Policies = plainCopy();
            dispatchByType(dispatched, appliesTo, undefined, pack);
            const alone = await serve(dispatched, false);
            const after = await serve(dispatched, true);
            await Promise.resolve();
            assert.equal(pendingType(), undefined, "every note was taken by the loop that followed it");
            const hostOwn = await serve(plainCopy(), true);
            assert.deepEqual(
                after.map((a) => Buffer.from(a.analyze)),
                alone.map((a) => Buffer.from(a.analyze)),
            );
            assert.deepEqual(
                after.map((a) => remediations(a.remediate as Uint8Array)),
                hostOwn.map((a) => remediations(a.remediate as Uint8Array)),
            );

            // With remediations: each runs, in the list's order, and Analyze reports about them as the host's own loop does.
            const withFixes = (): Policies => [...plainCopy(), fixOnly, fixAndCheck];
            const baseline = await serve(withFixes(), true);
            const fixing = withFixes();
            dispatchByType(fixing, (p, type) => p !== fixOnly && p !== fixAndCheck && appliesTo(p, type), undefined, pack);
            const served = await serve(fixing, true);
            assert.deepEqual(
                served.map((a) => remediations(a.remediate as Uint8Array)),
                baseline.map((a) => remediations(a.remediate as Uint8Array)),
            );
            // Each remediation sees the inputs the one before it returned (server.js makeRemediateRpcFun), keys as a Struct sorts them.
            const asSent = (props: object) => JSON.stringify(structProto.Struct.fromJavaScript(props).toJavaScript());
            assert.deepEqual(remediations(baseline[0].remediate as Uint8Array).remediated, [
                `probe-fix-only ${asSent({ ...resources[0].inputs, fixedBy: ["fix-only"] })}`,
                `probe-fix-and-check ${asSent({ ...resources[0].inputs, fixedBy: ["fix-only", "fix-and-check"] })}`,
            ]);
            assert.deepEqual(
                served.map((a) => analysis(a.analyze)),
                baseline.map((a) => analysis(a.analyze)),
            );
        });

        it("skips a member the config disables and reports a member at the level the config gives", async () => {
            const dispatched: Policies = plainCopy();
            dispatchByType(dispatched, appliesTo, undefined, pack);
            const admin = resources.findIndex((r) => r.name === "admin");
            const levels = async () =>
                (await analyzeAll(dispatched))[admin].getDiagnosticsList().map((d) => `${d.getPolicyname()}:${d.getEnforcementlevel()}`);
            try {
                analyzerProto.ConfigureAnalyzerRequest.deserializeBinary(
                    configure({
                        "iam-policy-deny-admin-access": analyzerProto.EnforcementLevel.ADVISORY,
                        "iam-policy-deny-wildcard-actions": analyzerProto.EnforcementLevel.DISABLED,
                    }).serializeBinary(),
                );
                const configured = await levels();
                assert.ok(configured.includes(`iam-policy-deny-admin-access:${analyzerProto.EnforcementLevel.ADVISORY}`));
                assert.ok(!configured.some((f) => f.startsWith("iam-policy-deny-wildcard-actions:")));
                // `remediate` is reported as `mandatory`, as the host reports a validation at that level (server.js makeAnalyzeRpcFun).
                analyzerProto.ConfigureAnalyzerRequest.deserializeBinary(
                    configure({ "iam-policy-deny-admin-access": analyzerProto.EnforcementLevel.REMEDIATE }).serializeBinary(),
                );
                assert.ok((await levels()).includes(`iam-policy-deny-admin-access:${analyzerProto.EnforcementLevel.MANDATORY}`));
            } finally {
                analyzerProto.ConfigureAnalyzerRequest.deserializeBinary(configure({}).serializeBinary());
            }
            const plain = await levels();
            assert.ok(plain.includes(`iam-policy-deny-admin-access:${analyzerProto.EnforcementLevel.MANDATORY}`));
        });

        it("AnalyzeStack still reports the stack policies it leaves out as not applicable (the host's own records included)", async () => {
            for (const withPack of [true, false]) {
                const dispatched: Policies = plainCopy();
                dispatchByType(dispatched, appliesTo, stackAppliesTo, withPack ? pack : undefined);
                for (const stack of [
                    [{ type: "random:index/randomPet:RandomPet", name: "pet", inputs: {} }],
                    [{ type: "aws:sns/topic:Topic", name: "t", inputs: { tags: TAGS } }],
                ]) {
                    const [baseline] = everything([await analyzeStack(plainCopy(), stack)]);
                    const [response] = everything([await analyzeStack(dispatched, stack)]);
                    assert.deepEqual(response.findings, baseline.findings);
                    assert.ok(baseline.notApplicable.length > 0, "the host reports the type-hinted stack policies as not applicable");
                    assert.deepEqual(
                        response.notApplicable,
                        stackRules.map((rule) => rule.name).sort(),
                        "every stack policy left out is reported as not applicable",
                    );
                }
            }
            assert.equal(pendingType(), undefined);
        });

        it("AnalyzeStack hands the host only the resources the walked stack policies read (their union, hint types included)", async () => {
            const seen = new Map<string, string[]>();
            const probe = (name: string, hint?: string): StackValidationPolicy => {
                const validateStack: StackValidationPolicy["validateStack"] & { __pulumiType?: string } = (args) => {
                    seen.set(
                        name,
                        args.resources.map((r) => r.type),
                    );
                };
                validateStack.__pulumiType = hint;
                return { name, description: name, enforcementLevel: "advisory", validateStack };
            };
            const reads: Record<string, ((type: string) => boolean) | undefined> = {
                "reads-keys": (type) => type === "aws:kms/key:Key",
                "reads-queues-hinted-roles": (type) => type === "aws:sqs/queue:Queue",
                "reads-all-but-disabled": undefined,
            };
            const probes = [probe("reads-keys"), probe("reads-queues-hinted-roles", "aws:iam/role:Role"), probe("reads-all-but-disabled")];
            const stack = syntheticStack(11);
            const request = stackRequest(stack) as { getResourcesList(): Array<{ getType(): string }> };
            const analyze = server.makeAnalyzeStackRpcFun("ciplatform", "0.1.0", "mandatory", probes);
            const dispatched = [...probes];
            dispatchByType(
                dispatched,
                () => true,
                undefined,
                pack,
                (p) => reads[p.name],
            );
            const run = (list: Policies) =>
                new Promise<void>((resolve, reject) =>
                    server.makeAnalyzeStackRpcFun(
                        "ciplatform",
                        "0.1.0",
                        "mandatory",
                        list,
                    )({ request }, (err) => (err ? reject(err) : resolve())),
                );
            analyzerProto.ConfigureAnalyzerRequest.deserializeBinary(
                configure({ "reads-all-but-disabled": analyzerProto.EnforcementLevel.DISABLED }).serializeBinary(),
            );
            try {
                await run(dispatched);
                const union = ["aws:iam/role:Role", "aws:kms/key:Key", "aws:sqs/queue:Queue"];
                assert.deepEqual([...new Set(seen.get("reads-keys"))].sort(), union);
                assert.deepEqual(seen.get("reads-keys"), seen.get("reads-queues-hinted-roles"));
                assert.equal(seen.has("reads-all-but-disabled"), false);
                assert.equal(request.getResourcesList().length, stack.length, "the request's own list stays whole");
                // That read left a note, as the host's read does: a walk takes it.
                void [...dispatched];
                // Enabled, the policy that reads everything is handed everything, and so are the others.
                analyzerProto.ConfigureAnalyzerRequest.deserializeBinary(configure({}).serializeBinary());
                await run(dispatched);
                assert.equal(seen.get("reads-all-but-disabled")?.length, stack.length);
                assert.equal(seen.get("reads-keys")?.length, stack.length);
                // Without dispatch the host hands every resource, also right after a dispatched loop.
                seen.clear();
                await new Promise<void>((resolve, reject) => analyze({ request }, (err) => (err ? reject(err) : resolve())));
                assert.equal(seen.get("reads-keys")?.length, stack.length);
                // The host's read of that request left a note no dispatched walk took (one pack, one list in a real host).
                void [...dispatched];
            } finally {
                analyzerProto.ConfigureAnalyzerRequest.deserializeBinary(configure({}).serializeBinary());
            }
            // The records that walk handed over wait for a response built in the same step, then go.
            await Promise.resolve();
            assert.equal(pendingType(), undefined);
        });

        it("AnalyzeStack runs the stack policies in one host call with the same findings", async () => {
            const dispatched: Policies = plainCopy();
            dispatchByType(dispatched, appliesTo, undefined, pack);
            const unencryptedBucket = { type: "aws:s3/bucketV2:BucketV2", name: "b", inputs: { tags: TAGS } };
            const stack = [...resources, unencryptedBucket];
            const response = await analyzeStack(dispatched, stack);
            assert.deepEqual(everything([response]), everything([await analyzeStack(plainCopy(), stack)]));
            assert.ok(response.getDiagnosticsList().length > 0);
            // What goes on the wire (the findings encoded by lib/diagnostics-encoding.ts) decodes to the same response.
            const decoded = analyzerProto.AnalyzeResponse.deserializeBinary(
                (response as unknown as { serializeBinary(): Uint8Array }).serializeBinary(),
            ) as AnalyzeResponseLike;
            assert.deepEqual(everything([decoded]), everything([response]));
        });
    });
});
