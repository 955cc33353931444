/**
 * The policy wrappers (policypack/lib/rule.ts) called directly, as the policy host calls them: a resource
 * rule reports only for its types, with the config the stack gives, unless an exemption covers the
 * resource; the type hint the host uses to skip other types is set only where it is exact; a stack rule's
 * findings are held against the exemptions the same way; production is the stack tag, else the URN.
 */
import { strict as assert } from "node:assert";
import type { PolicyResource, ResourceValidation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { DEFAULT_CONFIG, PackConfig } from "../../policypack/config";
import { applies, isKubernetesKind, isProdStack, resourcePolicy, ResourceRule, stackPolicy, StackRule } from "../../policypack/lib/rule";

const TOPIC = "aws:sns/topic:Topic";
/** A rule that reports every resource it is asked about, naming the config key it reads. */
const rule = (types: ResourceRule["types"]): ResourceRule => ({
    name: "test-rule",
    description: "test",
    enforcementLevel: "mandatory",
    types,
    check: (r, config) => [`${r.name} ${config.environmentTagKey} ${r.providerProps?.region ?? "-"}`],
});

function validate(policyRule: ResourceRule, args: Partial<ResourceValidationArgs> & { config?: Partial<PackConfig> }): string[] {
    const lines: string[] = [];
    const { config, ...rest } = args;
    const full = {
        type: TOPIC,
        name: "t",
        urn: `urn:pulumi:dev::p::${TOPIC}::t`,
        props: {},
        stackTags: new Map(),
        getConfig: () => config ?? {},
        ...rest,
    } as unknown as ResourceValidationArgs;
    const validation = resourcePolicy(policyRule).validateResource as ResourceValidation;
    void validation(full, (message) => lines.push(String(message)));
    return lines;
}

describe("policy wrappers (policypack/lib/rule.ts)", () => {
    it("a resource rule reports for its types only, with the stack's config over the defaults and the provider's inputs", () => {
        assert.deepEqual(validate(rule([TOPIC]), {}), [`t ${DEFAULT_CONFIG.environmentTagKey} -`]);
        assert.deepEqual(validate(rule([TOPIC]), { config: { environmentTagKey: "stage" } }), ["t stage -"]);
        assert.deepEqual(validate(rule([TOPIC]), { provider: { props: { region: "eu-west-1" } } as never }), [
            `t ${DEFAULT_CONFIG.environmentTagKey} eu-west-1`,
        ]);
        assert.deepEqual(validate(rule(["aws:sqs/queue:Queue"]), {}), [], "another type");
        assert.deepEqual(
            validate(
                rule((type) => type.startsWith("aws:sns/")),
                {},
            ).length,
            1,
        );
        assert.deepEqual(
            validate(
                rule((type) => type.startsWith("aws:sqs/")),
                {},
            ),
            [],
        );
    });

    it("a check without a config parameter runs without one; its findings are still held against the exemptions", () => {
        const plain: ResourceRule = { ...rule([TOPIC]), check: (r) => [`${r.name} plain`] };
        assert.deepEqual(validate(plain, {}), ["t plain"]);
        assert.deepEqual(validate(plain, { config: { exemptions: [{ resourceName: "t", reason: "r" }] } }), []);
        assert.deepEqual(validate(plain, { config: { exemptions: [{ resourceName: "t", policies: ["other"], reason: "r" }] } }), [
            "t plain",
        ]);
        // By a tag of the resource's own inputs.
        const byTag = { exemptions: [{ tag: { key: "exempt", value: "yes" }, reason: "r" }] };
        assert.deepEqual(validate(rule([TOPIC]), { config: byTag, props: { tags: { exempt: "yes" } } }), []);
        assert.equal(validate(rule([TOPIC]), { config: byTag, props: { tags: { exempt: "no" } } }).length, 1);
    });

    it("sets the host's type hint only for a rule of exactly one type", () => {
        const hint = (types: ResourceRule["types"]) =>
            (resourcePolicy(rule(types)).validateResource as { __pulumiType?: string }).__pulumiType;
        assert.equal(hint([TOPIC]), TOPIC);
        assert.equal(hint([TOPIC, "aws:sqs/queue:Queue"]), undefined, "the host would skip the second type");
        assert.equal(
            hint(() => true),
            undefined,
        );
        const policy = resourcePolicy(rule([TOPIC]));
        assert.deepEqual([policy.name, policy.description, policy.enforcementLevel], ["test-rule", "test", "mandatory"]);
        assert.ok(policy.configSchema, "the policy declares the pack's config schema, so the host accepts its config");
    });

    it("a stack rule reports each finding not exempted, at its resource, with the type hint when it needs a type", () => {
        const stackRule: StackRule = {
            name: "test-stack-rule",
            description: "test",
            enforcementLevel: "advisory",
            requiresType: TOPIC,
            reads: [TOPIC],
            check: (resources, config) =>
                resources.map((r) => ({ urn: r.urn, name: r.name, tags: r.props.tags, message: `${r.name} ${config.environmentTagKey}` })),
        };
        const resources = ["a", "b"].map((name) => ({
            type: TOPIC,
            name,
            urn: `urn:${name}`,
            props: { tags: { team: name } },
        })) as unknown as PolicyResource[];
        const run = (config: Partial<PackConfig>) => {
            const lines: string[] = [];
            const args = { resources, getConfig: () => config, stackTags: new Map() } as unknown as StackValidationArgs;
            void stackPolicy(stackRule).validateStack(args, (message, urn) => lines.push(`${urn}: ${String(message)}`));
            return lines;
        };
        assert.deepEqual(run({ environmentTagKey: "stage" }), ["urn:a: a stage", "urn:b: b stage"]);
        assert.deepEqual(run({ exemptions: [{ tag: { key: "team", value: "b" }, reason: "r" }] }), [
            `urn:a: a ${DEFAULT_CONFIG.environmentTagKey}`,
        ]);
        assert.deepEqual(run({ exemptions: [{ resourceName: "a", policies: ["test-stack-rule"], reason: "r" }] }), [
            `urn:b: b ${DEFAULT_CONFIG.environmentTagKey}`,
        ]);
        assert.equal((stackPolicy(stackRule).validateStack as { __pulumiType?: string }).__pulumiType, TOPIC);
        assert.equal(
            (stackPolicy({ ...stackRule, requiresType: undefined }).validateStack as { __pulumiType?: string }).__pulumiType,
            undefined,
        );
    });

    it("applies, isKubernetesKind and isProdStack", () => {
        const types = [TOPIC, "aws:sqs/queue:Queue"];
        assert.equal(applies({ types }, "aws:sqs/queue:Queue"), true);
        assert.equal(applies({ types }, "aws:sqs/queue:QueuePolicy"), false);
        assert.equal(isKubernetesKind("kubernetes:external-secrets.io/v1:SecretStore", "SecretStore"), true);
        assert.equal(isKubernetesKind("kubernetes:external-secrets.io/v1:ClusterSecretStore", "SecretStore"), false);
        assert.equal(isKubernetesKind("aws:x/y:SecretStore", "SecretStore"), false);
        const prod = (tags: Record<string, string>, urn: string) =>
            isProdStack({ stackTags: new Map(Object.entries(tags)), urn }, DEFAULT_CONFIG);
        const key = DEFAULT_CONFIG.environmentTagKey;
        assert.equal(prod({ [key]: "prod" }, "urn:pulumi:dev::p::t::n"), true, "the stack tag decides");
        assert.equal(prod({ [key]: "dev" }, "urn:pulumi:prod::p::t::n"), false, "the stack tag decides");
        assert.equal(prod({}, "urn:pulumi:prod::p::t::n"), true, "no tag: the URN's stack");
        assert.equal(prod({}, "urn:pulumi:production::p::t::n"), false);
        assert.equal(prod({}, "x-urn:pulumi:prod::p::t::n"), false);
    });
});
