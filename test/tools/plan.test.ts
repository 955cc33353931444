import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import planSchema from "../../tools/offline/plan.schema.json";
import { PlanFile, runPlan } from "../../tools/offline/plan";
import { platformPolicyConfig } from "../../tools/offline/analyzer";
import { ROOT, runCli } from "../helpers/cli";
import { shippedPlan } from "../helpers/shared-plans";

/**
 * Whole stacks, planned the faithful way: Pulumi's own loader (`cmd/run`, ts-node with type
 * checking), the config the CLI builds (stack file + `Pulumi.yaml` defaults), a local engine over
 * gRPC, and the pack under the real policy host. A program that would not start under the CLI fails here.
 */
describe("offline plan (Pulumi's loader, the CLI's config, the real policy host)", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-plan-"));
    const validate = new Ajv({ allErrors: true }).compile(planSchema);

    const stacks: Array<{ project: string; stack: "dev" | "staging" | "prod" | "account"; name: string }> = [
        { project: "platform", stack: "dev", name: "ciplatform" },
        { project: "platform", stack: "staging", name: "ciplatform" },
        { project: "platform", stack: "prod", name: "ciplatform" },
        { project: "foundation", stack: "account", name: "ciplatform-foundation" },
    ];
    const planned = new Map<string, Awaited<ReturnType<typeof shippedPlan>>>();
    before(async function () {
        this.timeout(300_000);
        // runPlan({ project, stack }) once per test run, shared with other files (test/helpers/shared-plans.ts).
        for (const { project, stack } of stacks) {
            planned.set(`${project}/${stack}`, await shippedPlan(stack));
        }
    });

    for (const { project, stack, name } of stacks) {
        it(`plans ${project}/${stack} through cmd/run with 0 errors and 0 mandatory violations, URNs as the engine forms them`, () => {
            const plan = planned.get(`${project}/${stack}`);
            assert.ok(plan);
            assert.equal(plan.project, name);
            assert.equal(
                plan.summary.mandatory,
                0,
                JSON.stringify(plan.policy.violations.filter((v) => v.enforcementLevel === "mandatory")),
            );
            // The file is the plan without the run's log (version 2: outputs, stack references, backend included).
            const file: Record<string, unknown> = { ...plan };
            delete file.logs;
            assert.ok(validate(file), JSON.stringify(validate.errors, null, 1));
            assert.equal(plan.version, 2);
            assert.ok(plan.resources.length > 20, `${plan.resources.length} resources`);
            // A child's type is qualified by every ancestor's type but the stack's.
            const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
            for (const r of plan.resources) {
                const parent = r.parent ? byUrn.get(r.parent) : undefined;
                const qualified = parent ? `${parent.urn.split("::")[2]}$${r.type}` : r.type;
                assert.equal(r.urn, `urn:pulumi:${stack}::${name}::${qualified}::${r.name}`);
            }
            // The engine's default provider for resources without an explicit one, configured from aws:*.
            assert.equal(byUrn.get(`urn:pulumi:${stack}::${name}::pulumi:providers:aws::default`)?.inputs.region, "eu-west-1");
        });
    }

    it("records the foundation's documented inputs (non-secret config) and what getCallerIdentity answered, never a secret config value", () => {
        for (const { project, stack } of stacks) {
            const plan = planned.get(`${project}/${stack}`);
            assert.ok(plan?.config && plan.secretConfigKeys, `${project}/${stack} records its config`);
            for (const key of plan.secretConfigKeys) assert.ok(!(key in (plan.config ?? {})), `secret ${key} left out`);
        }
        const foundation = planned.get("foundation/account");
        assert.match(foundation?.config?.["ciplatform-foundation:runnersConnectionArn"] ?? "", /^arn:aws:codeconnections:/);
        const identity = foundation?.invokes?.find((i) => i.token === "aws:index/getCallerIdentity:getCallerIdentity");
        assert.match(String(identity?.result.arn), /^arn:aws:(?:iam|sts)::\d{12}:/);
    });

    it("qualifies a nested resource's type with each ancestor: Platform$Cluster$SecurityGroupIngressRule", () => {
        const rule = planned
            .get("platform/dev")
            ?.resources.find((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.equal(
            rule?.urn,
            "urn:pulumi:dev::ciplatform::ciplatform:index:Platform$ciplatform:cluster:Cluster$aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::cip-dev-cluster-endpoint-from-runners-0",
        );
    });

    it("reads the environment's network from the foundation stack, as a StackReference reads its outputs", () => {
        const foundation = planned.get("foundation/account");
        const platform = planned.get("platform/dev");
        assert.ok(foundation && platform);
        const networks = foundation.outputs.networks as Record<string, { vpcId: string; runnerSecurityGroupIds: string[] }>;
        assert.equal(platform.outputs.vpcId, networks.dev.vpcId);
        const rules = platform.resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepEqual(
            rules.map((r) => r.inputs.referencedSecurityGroupId),
            networks.dev.runnerSecurityGroupIds,
        );
    });

    it("npm run plan: exit 0 and a plan file of the documented shape", () => {
        const file = path.join(tmp, "dev.json");
        const result = runCli("plan", ["--stack", "dev", "--json", file]);
        assert.equal(result.status, 0, result.stderr + result.stdout);
        assert.match(result.stdout, /Offline preview of stack "dev" \(project ciplatform\)/);
        assert.match(result.stdout, /Summary: \d+ resources in \d+ types, 0 mandatory/);
        // Progress on stderr from the start, phase by phase; stack outputs in the summary and in the plan file.
        assert.match(result.stderr, /^\[0\.\ds\] Planning stack dev \(project platform\): checking config$/m);
        assert.match(result.stderr, /running the program under Pulumi's loader/);
        assert.match(result.stderr, /policy pack: \d+\/\d+ analysed/);
        assert.match(result.stdout, /^Outputs:\n(?: {2}\S+ +.+\n)*? {2}clusterName +cip-dev$/m);
        assert.doesNotMatch(result.stdout + result.stderr, /\u001b\[/, "no colour in a pipe");
        const written = JSON.parse(fs.readFileSync(file, "utf8")) as PlanFile;
        assert.ok(validate(written), JSON.stringify(validate.errors, null, 1));
        assert.equal(written.resources.length, planned.get("platform/dev")?.resources.length);
        assert.equal(written.outputs?.clusterName, "cip-dev");
    });

    it("npm run plan: exit 1 when a finding is mandatory, and the plan file still written with it", () => {
        // The dev plan's one advisory finding (the exemptions report) made mandatory by policy config: the platform's
        // own config (policy-config.json, whose exemptions it reports) with that one level changed.
        const config = path.join(tmp, "mandatory.json");
        const platform = platformPolicyConfig();
        fs.writeFileSync(
            config,
            JSON.stringify({
                ...platform,
                "pack-report-exemptions": { ...platform["pack-report-exemptions"], enforcementLevel: "mandatory" },
            }),
        );
        const file = path.join(tmp, "dev-mandatory.json");
        const result = runCli("plan", ["--stack", "dev", "--policy-config", config, "--json", file]);
        assert.equal(result.status, 1, result.stderr + result.stdout);
        const written = JSON.parse(fs.readFileSync(file, "utf8")) as PlanFile;
        assert.ok(written.summary.mandatory >= 1, "the summary counts the mandatory finding");
        assert.ok(written.policy.violations.some((v) => v.policy === "pack-report-exemptions" && v.enforcementLevel === "mandatory"));
    });

    it("npm run plan --policy-config: invalid policy config is refused with exit 2, naming the policy and key", () => {
        const config = path.join(tmp, "bad-policy-config.json");
        fs.writeFileSync(config, JSON.stringify({ "eks-cluster-deny-public-endpoint": { enforcementLevel: "warn" } }));
        const result = runCli("plan", ["--stack", "dev", "--policy-config", config]);
        assert.equal(result.status, 2, result.stderr + result.stdout);
        assert.match(result.stderr, /eks-cluster-deny-public-endpoint\.enforcementLevel: "warn" is not a level/);
    });

    it("plans a new stack with every computed output unknown: the pack degrades to advisory, never crashes", async () => {
        const newStack = await runPlan({ stack: "prod", newStack: true });
        assert.equal(newStack.summary.mandatory, 0);
        const cannotRun = newStack.policy.violations.filter((v) => /can't be known during preview/.test(v.message));
        assert.ok(cannotRun.length > 0, "some rules need values a new stack does not know yet");
        assert.ok(cannotRun.every((v) => v.enforcementLevel === "advisory"));
        const cluster = newStack.resources.find((r) => r.type === "eks:index:Cluster");
        assert.equal(cluster?.inputs.name, "cip-prod", "inputs stay known");
    });

    it("exits 2 with the program's ConfigError when the config is invalid, and writes no plan", () => {
        const stackFile = path.join(ROOT, "Pulumi.badconfig.yaml");
        const jsonFile = path.join(tmp, "bad.json");
        fs.writeFileSync(
            stackFile,
            "config:\n  aws:region: eu-west-1\n  ciplatform:environment: qa\n  ciplatform:owner: me\n  ciplatform:costCenter: cc-1\n  ciplatform:namePrefix: Bad_Prefix\n",
        );
        try {
            const result = runCli("plan", ["--stack", "badconfig", "--json", jsonFile]);
            assert.equal(result.status, 2, result.stdout);
            assert.match(result.stderr, /Invalid stack configuration in Pulumi\.badconfig\.yaml:/);
            assert.match(result.stderr, /ciplatform:environment: Invalid option: expected one of "dev"\|"staging"\|"prod" \(got "qa"\)/);
            assert.match(result.stderr, /ciplatform:namePrefix: must be 3-16 lower-case letters/);
            assert.equal(fs.existsSync(jsonFile), false);
        } finally {
            fs.rmSync(stackFile);
        }
    });

    it("refuses a stack missing a required key and giving a value of the wrong type, both in one pass, before planning", () => {
        const stackFile = path.join(ROOT, "Pulumi.badtypes.yaml");
        fs.writeFileSync(
            stackFile,
            "config:\n  aws:region: eu-west-1\n  ciplatform:environment: dev\n  ciplatform:owner: me\n  ciplatform:kmsDeletionWindowDays: many\n",
        );
        try {
            const result = runCli("plan", ["--stack", "badtypes"]);
            assert.equal(result.status, 2);
            assert.match(result.stderr, /Invalid stack configuration in Pulumi\.badtypes\.yaml:/);
            assert.match(result.stderr, /ciplatform:costCenter: is required: .* \(not set\)/);
            assert.match(result.stderr, /ciplatform:kmsDeletionWindowDays: Invalid input: expected number, received string \(got "many"\)/);
            assert.doesNotMatch(result.stdout, /Offline preview/);
        } finally {
            fs.rmSync(stackFile);
        }
    });

    it("exits 2 for an unknown stack, project or flag", () => {
        const unknown = runCli("plan", ["--stack", "nosuchstack"]);
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /project ciplatform has no stack "nosuchstack" \(Pulumi\.nosuchstack\.yaml\); its stacks: .*dev/);
        assert.equal(runCli("plan", ["--project", "foundation", "--stack", "dev"]).status, 2);
        assert.equal(runCli("plan", ["--colour"]).status, 2);
    });
});
