import { strict as assert } from "node:assert";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { EXEMPTIONS_REPORT_POLICY } from "../../policypack/exemptions";
import { policies, stackReadsOf } from "../../policypack/policies";
import { AnalyzerInput, expandSharedConfig, platformPolicyConfig } from "../../tools/offline/analyzer";
import { analyzerInputsFrom } from "../../tools/offline/input";
import { shippedPlan, ShippedStack, SHIPPED_STACKS } from "../helpers/shared-plans";

/**
 * lib/dispatch.ts hands the host's AnalyzeStack loop only the resources some stack policy reads (`stackReadsOf`), and
 * the host resolves dependencies and parents among that list only. So each stack policy must find over the resources
 * of the types it declares exactly what it finds over the whole stack: a rule that looks at a type it does not
 * declare (say a bucket's companion reached through a dependency) would silently stop finding.
 */

type Edges = Pick<AnalyzerInput, "parent" | "dependsOn" | "propertyDependencies">;

/** The stack as the host's AnalyzeStack handler builds it (@pulumi/policy 1.21 server.js): edges resolved within the list. */
function asHostSees(inputs: readonly AnalyzerInput[]): PolicyResource[] {
    const views = inputs.map((input) => ({
        input,
        view: {
            type: input.type,
            name: input.name,
            urn: input.urn,
            props: structuredClone(input.properties) as Record<string, unknown>,
            dependencies: [] as PolicyResource[],
            propertyDependencies: {} as Record<string, PolicyResource[]>,
        } as unknown as PolicyResource & { parent?: PolicyResource },
    }));
    const byUrn = new Map(views.map(({ view }) => [view.urn, view]));
    const resolve = (urns: readonly string[]) => urns.map((u) => byUrn.get(u)).filter((r): r is PolicyResource => r !== undefined);
    for (const { input, view } of views) {
        const parent = input.parent ? byUrn.get(input.parent) : undefined;
        if (parent) {
            view.parent = parent;
        }
        (view as { dependencies: PolicyResource[] }).dependencies = resolve(input.dependsOn);
        for (const [key, urns] of Object.entries(input.propertyDependencies ?? {})) {
            view.propertyDependencies[key] = resolve(urns);
        }
    }
    return views.map(({ view }) => view);
}

/** What a stack policy reports over `resources`, given its config. */
function reported(policy: StackValidationPolicy, resources: PolicyResource[], config: Record<string, unknown>): string[] {
    const out: string[] = [];
    void policy.validateStack(
        {
            resources,
            getConfig: <T>() => ({ ...config }) as T,
            stackTags: new Map([["environment", "dev"]]),
            notApplicable: () => {
                throw new Error("not applicable");
            },
        } as Parameters<StackValidationPolicy["validateStack"]>[0],
        (message: string, urn?: string) => out.push(`${urn ?? ""}: ${message}`),
    );
    return out;
}

const urn = (type: string, name: string) => `urn:pulumi:dev::p::${type}::${name}`;
const input = (type: string, name: string, properties: Record<string, unknown>, edges: Partial<Edges> = {}): AnalyzerInput => ({
    urn: urn(type, name),
    type,
    name,
    properties,
    parent: edges.parent ?? null,
    protect: false,
    dependsOn: edges.dependsOn ?? [],
    propertyDependencies: edges.propertyDependencies,
});

const TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };
const component = input("ciplatform:storage:Buckets", "store", {});
/** Every stack rule finding through an edge, among resources no stack rule reads (which the filter drops). */
const linked: AnalyzerInput[] = [
    component,
    input("aws:kms/key:Key", "key", { tags: TAGS, enableKeyRotation: true }),
    // Encrypted by a companion reached by dependency, one by parent, one not at all.
    input("aws:s3/bucketV2:BucketV2", "by-dependency", { tags: TAGS }, { parent: component.urn }),
    input(
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "by-dependency-sse",
        { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] },
        { dependsOn: [urn("aws:s3/bucketV2:BucketV2", "by-dependency"), urn("aws:kms/key:Key", "key")] },
    ),
    input("aws:s3/bucketV2:BucketV2", "by-parent", { tags: TAGS }),
    input(
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "by-parent-sse",
        { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] },
        { parent: urn("aws:s3/bucketV2:BucketV2", "by-parent") },
    ),
    input("aws:s3/bucketV2:BucketV2", "plain", { tags: TAGS }),
    // A role whose inline policies, one linked by dependency, together exceed IAM's aggregate quota.
    input("aws:iam/role:Role", "big", { tags: TAGS, name: "big-role" }),
    ...[1, 2].map((n) =>
        input(
            "aws:iam/rolePolicy:RolePolicy",
            `big-${n}`,
            {
                role: n === 1 ? "big-role" : "unknown-here",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: Array.from({ length: 60 }, (_, i) => ({
                        Effect: "Allow",
                        Action: "s3:GetObject",
                        Resource: `arn:aws:s3:::bucket-number-${n}-${i}/path/to/objects/*`,
                    })),
                }),
            },
            { dependsOn: n === 2 ? [urn("aws:iam/role:Role", "big")] : [] },
        ),
    ),
    // An access key feeding a Kubernetes Secret, by property dependency.
    input("aws:iam/user:User", "ci", { tags: TAGS }),
    input("aws:iam/accessKey:AccessKey", "ci-key", { user: "ci" }, { dependsOn: [urn("aws:iam/user:User", "ci")] }),
    input(
        "kubernetes:core/v1:Secret",
        "aws-creds",
        { metadata: { name: "aws-creds", namespace: "ci" }, stringData: { id: "from-key" } },
        { propertyDependencies: { stringData: [urn("aws:iam/accessKey:AccessKey", "ci-key")] } },
    ),
    // A privileged Pod in a namespace that enforces restricted.
    input("kubernetes:core/v1:Namespace", "ci", {
        metadata: { name: "ci", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    }),
    input("kubernetes:core/v1:Pod", "root", {
        metadata: { name: "root", namespace: "ci" },
        spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
    }),
    input("random:index/randomPet:RandomPet", "pet", {}),
];

const stackPolicies = policies.filter((p): p is StackValidationPolicy => "validateStack" in p);
const names = policies.map((p) => p.name);

/** A stack policy's config as the engine sends it for the platform's policy config, and with one exemption more. */
function configs(policy: StackValidationPolicy): Array<[string, Record<string, unknown>]> {
    const { enforcementLevel: _level, ...platform } = expandSharedConfig(platformPolicyConfig(), names)[policy.name] ?? {};
    const exempted = {
        ...platform,
        exemptions: [
            ...(((platform as { exemptions?: unknown[] }).exemptions ?? []) as unknown[]),
            { resourceName: "plain", reason: "a bucket this test exempts on purpose" },
            { resourceName: "big*", reason: "a role this test exempts on purpose" },
        ],
    };
    return [
        ["no config", {}],
        ["the platform's policy config", platform],
        ["an exemption more", exempted],
    ];
}

describe("each stack policy finds over the resources it reads what it finds over the whole stack (dispatch's stackReads)", () => {
    const stacks = new Map<string, AnalyzerInput[]>([["linked fixtures", linked]]);
    before(async function () {
        this.timeout(900_000);
        for (const stack of Object.keys(SHIPPED_STACKS) as ShippedStack[]) {
            stacks.set(`plan of ${stack}`, analyzerInputsFrom(await shippedPlan(stack)));
        }
    });

    for (const policy of stackPolicies) {
        it(`${policy.name}`, () => {
            let dropped = 0;
            let compared = 0;
            for (const [stackName, inputs] of stacks) {
                for (const [configName, config] of configs(policy)) {
                    const reads = stackReadsOf(policy, config);
                    assert.ok(reads !== undefined, "every stack policy of the pack declares what it reads");
                    const read = inputs.filter((i) => reads(i.type));
                    dropped += inputs.length - read.length;
                    const whole = reported(policy, asHostSees(inputs), config);
                    compared += whole.length;
                    assert.deepEqual(reported(policy, asHostSees(read), config), whole, `${stackName}, ${configName}`);
                }
            }
            assert.ok(dropped > 0, "the policy is handed fewer resources than the stack holds");
            assert.ok(compared > 0, "the stacks give the policy something to report");
        });
    }

    it("the exemptions report reads no input of a resource no rule checks (a tag exemption, tags unknown during preview)", () => {
        const report = stackPolicies.find((p) => p.name === EXEMPTIONS_REPORT_POLICY);
        assert.ok(report);
        const config = { exemptions: [{ tag: { key: "exempt", value: "yes" }, reason: "a tag this test exempts on purpose" }] };
        const reads = stackReadsOf(report, config);
        assert.ok(reads !== undefined);
        const bucket = input("aws:s3/bucketV2:BucketV2", "tagged", { tags: { ...TAGS, exempt: "yes" } });
        const unchecked = input("random:index/randomPet:RandomPet", "pet", {});
        assert.equal(reads(unchecked.type), false, "no rule reads it, so dispatch does not hand it over");
        const views = asHostSees([bucket, unchecked]);
        // The host's proxy throws on reading an unknown value (@pulumi/policy proxy.js): stand in for it.
        Object.defineProperty(views[1].props, "tags", {
            get: () => {
                throw new Error("unknown during preview");
            },
        });
        const handed = reported(report, asHostSees([bucket]), config);
        assert.ok(handed.length > 0, "the bucket's exempted findings are reported");
        assert.deepEqual(reported(report, views, config), handed);
    });

    it("the exemptions report reads nothing without exemptions (the host builds no view for it)", () => {
        const report = stackPolicies.find((p) => p.name === EXEMPTIONS_REPORT_POLICY);
        assert.ok(report);
        const reads = stackReadsOf(report, {});
        assert.ok(reads !== undefined);
        assert.deepEqual(
            linked.filter((i) => reads(i.type)),
            [],
        );
        const withExemption = stackReadsOf(report, { exemptions: [{ resourceName: "plain", reason: "a bucket exempted on purpose" }] });
        assert.ok(withExemption?.("aws:s3/bucketV2:BucketV2"));
        assert.ok(!withExemption?.("random:index/randomPet:RandomPet"));
    });
});
