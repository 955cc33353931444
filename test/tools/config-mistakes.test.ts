import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PlanUsageError, preflight } from "../../tools/offline/plan";
import { ROOT, runCli } from "../helpers/cli";

/**
 * Each mistake issue #26 found passing silently (or reported badly) is refused before anything is planned:
 * exit 2 from `npm run plan`, with a message naming the stack file, the key, the value and what is allowed.
 */
const PLATFORM_BASE = {
    "aws:region": "eu-west-1",
    "ciplatform:environment": "dev",
    "ciplatform:owner": "platform-team",
    "ciplatform:costCenter": "cc-1234",
    "ciplatform:runnersTokenSecretName": "gitlab-runner-token",
};
const FOUNDATION_BASE = {
    "aws:region": "eu-west-1",
    "ciplatform-foundation:environment": "prod",
    "ciplatform-foundation:owner": "platform-team",
    "ciplatform-foundation:costCenter": "cc-1234",
    "ciplatform-foundation:ciProject": "platform-team/ciplatform",
    // Deploy runners are on by default and need their CodeConnections connection (as foundation/Pulumi.account.yaml sets it).
    "ciplatform-foundation:runnersConnectionArn":
        "arn:aws:codeconnections:eu-west-1:123456789012:connection/8d5c2f0e-4b1a-4c7e-9f3a-2e6b7d9c1a40",
};

const written: string[] = [];

/** Writes a stack file (YAML text, or a flat config map) beside the project's Pulumi.yaml. */
function stackFile(dir: "." | "foundation", stack: string, config: Record<string, unknown> | string): string {
    const file = path.join(ROOT, dir, `Pulumi.${stack}.yaml`);
    const text =
        typeof config === "string"
            ? config
            : `config:\n${Object.entries(config)
                  .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
                  .join("\n")}\n`;
    fs.writeFileSync(file, text);
    written.push(file);
    return path.relative(ROOT, file);
}

/** The message preflight refuses a stack with (what `npm run plan` prints before exiting 2). */
function refusal(stack: string, project: "platform" | "foundation" = "platform"): string {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
        preflight({ stack, project });
    } catch (err) {
        assert.ok(err instanceof PlanUsageError, String(err));
        return err.message;
    } finally {
        process.chdir(cwd);
    }
    assert.fail(`stack ${stack} was accepted`);
}

describe("config mistakes are refused before planning (issue #26), naming file, key, value and what is allowed", () => {
    after(() => written.forEach((f) => fs.rmSync(f, { force: true })));

    it("a public-endpoint CIDR with an octet above 255", () => {
        const file = stackFile(".", "t26cidr", {
            ...PLATFORM_BASE,
            "ciplatform:clusterEndpointPublicAccess": true,
            "ciplatform:clusterPublicAccessCidrs": ["300.1.1.1/24"],
        });
        const message = refusal("t26cidr");
        assert.match(message, new RegExp(`Invalid stack configuration in ${file.replace(".", "\\.")}:`));
        assert.match(
            message,
            /ciplatform:clusterPublicAccessCidrs: must be an IPv4 CIDR whose four octets are each 0-255, such as 203\.0\.113\.0\/24 \(at item 0\) \(got \["300\.1\.1\.1\/24"\]\)/,
        );
    });

    it("a region the AWS provider does not know (its Region enum)", () => {
        stackFile(".", "t26region", { ...PLATFORM_BASE, "aws:region": "eu-west-9" });
        const message = refusal("t26region");
        assert.match(
            message,
            /aws:region: must be a region the AWS provider knows: af-south-1, .*eu-west-1, .*us-west-2 \(got "eu-west-9"\)/,
        );
    });

    it("a zone letter no region has", () => {
        const file = stackFile("foundation", "t26zone", {
            ...FOUNDATION_BASE,
            "ciplatform-foundation:networkAvailabilityZones": ["a", "b", "z"],
        });
        const message = refusal("t26zone", "foundation");
        assert.ok(message.includes(`Invalid stack configuration in ${file}:`), message);
        assert.match(
            message,
            /ciplatform-foundation:networkAvailabilityZones: must be a zone letter a, b, c, d, e, f \(no AWS region has more zones\) \(at item 2\) \(got \["a","b","z"\]\)/,
        );
    });

    it("a runner chart below the documented minimum, with an example that is itself allowed", () => {
        stackFile(".", "t26chart", { ...PLATFORM_BASE, "ciplatform:runnersChartVersion": "0.68.1" });
        const message = refusal("t26chart");
        const m = /ciplatform:runnersChartVersion: must be 0\.88\.0 or later \(.*\), such as (\d+\.\d+\.\d+) \(got "0\.68\.1"\)/.exec(
            message,
        );
        assert.ok(m, message);
        // The example must pass the same check.
        stackFile(".", "t26chartok", { ...PLATFORM_BASE, "ciplatform:runnersChartVersion": m[1] });
        assert.doesNotThrow(() => preflight({ stack: "t26chartok" }));
        stackFile(".", "t26chartfmt", { ...PLATFORM_BASE, "ciplatform:runnersChartVersion": "latest" });
        const example = /such as (\S+?)[ )]/.exec(refusal("t26chartfmt").split("runnersChartVersion:")[1]);
        assert.equal(example?.[1], m[1], "the format error suggests an allowed version too");
    });

    it("a plaintext value where a secret is expected (External ID), never echoed", () => {
        stackFile("foundation", "t26secret", {
            ...FOUNDATION_BASE,
            "ciplatform-foundation:ciThirdPartyAccountId": "444455556666",
            "ciplatform-foundation:ciThirdPartyExternalId": "ext-plain-9f8e7d",
        });
        const message = refusal("t26secret", "foundation");
        assert.match(
            message,
            /ciplatform-foundation:ciThirdPartyExternalId: is a secret: the stack file must hold it as a secure: value; set it with `pulumi config set --secret ciThirdPartyExternalId <value>` \(got a plaintext value, not shown\)/,
        );
        assert.ok(!message.includes("ext-plain-9f8e7d"));
        stackFile(
            "foundation",
            "t26secure",
            `config:\n${Object.entries(FOUNDATION_BASE)
                .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
                .join(
                    "\n",
                )}\n  ciplatform-foundation:ciThirdPartyAccountId: "444455556666"\n  ciplatform-foundation:ciThirdPartyExternalId:\n    secure: v1:c2VjcmV0:Zm9v\n`,
        );
        assert.doesNotThrow(() => preflight({ stack: "t26secure", project: "foundation" }));
    });

    it("prod with protectStatefulResources false, unless the explicit override allowUnprotectedProd is set", () => {
        const prod = { ...PLATFORM_BASE, "ciplatform:environment": "prod", "ciplatform:karpenterAmiAlias": "al2023@v20261020" };
        stackFile(".", "t26prod", { ...prod, "ciplatform:protectStatefulResources": false });
        assert.match(
            refusal("t26prod"),
            /ciplatform:protectStatefulResources: prod keeps its stateful resources protected: allowed is true; to turn it off anyway \(e\.g\. to decommission prod\), also set allowUnprotectedProd: true \(got false\)/,
        );
        stackFile(".", "t26prodok", { ...prod, "ciplatform:protectStatefulResources": false, "ciplatform:allowUnprotectedProd": true });
        assert.doesNotThrow(() => preflight({ stack: "t26prodok" }));
    });

    it("type errors, missing keys and semantic errors come together in one pass", () => {
        stackFile(".", "t26all", {
            "aws:region": "eu-west-9",
            "ciplatform:environment": "prod",
            "ciplatform:owner": "me",
            "ciplatform:kmsDeletionWindowDays": "many",
            "ciplatform:protectStatefulResources": false,
            "ciplatform:runnersTokenSecretName": "gitlab-runner-token",
        });
        const lines = refusal("t26all").split("\n");
        assert.equal(lines[0], "Invalid stack configuration in Pulumi.t26all.yaml:");
        for (const expected of [
            /^ {2}- ciplatform:costCenter: is required: .* \(not set\)$/,
            /^ {2}- ciplatform:kmsDeletionWindowDays: Invalid input: expected number, received string \(got "many"\)$/,
            /^ {2}- aws:region: must be a region the AWS provider knows: .* \(got "eu-west-9"\)$/,
            /^ {2}- ciplatform:protectStatefulResources: prod keeps its stateful resources protected: .* \(got false\)$/,
        ]) {
            assert.ok(
                lines.some((l) => expected.test(l)),
                `${expected} in\n${lines.join("\n")}`,
            );
        }
    });

    it("npm run plan: a YAML error names the file and position, exit 2, no stack trace", () => {
        stackFile(".", "t26yaml", "config:\n  aws:region: [eu\n");
        const result = runCli("plan", ["--stack", "t26yaml"]);
        assert.equal(result.status, 2, result.stdout + result.stderr);
        assert.match(result.stderr, /^Pulumi\.t26yaml\.yaml: invalid YAML: .* at line \d+, column \d+/m);
        assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    });

    it("npm run plan: a failing foundation config fails the platform plan at once with the foundation's own messages, exit 2", () => {
        stackFile("foundation", "t26broken", { ...FOUNDATION_BASE, "ciplatform-foundation:networkAvailabilityZones": ["a", "b", "z"] });
        stackFile(".", "t26ref", { ...PLATFORM_BASE, "ciplatform:foundationStack": "organization/ciplatform-foundation/t26broken" });
        const result = runCli("plan", ["--stack", "t26ref"]);
        assert.equal(result.status, 2, result.stdout + result.stderr);
        assert.match(
            result.stderr,
            /The stack organization\/ciplatform-foundation\/t26broken that ciplatform:foundationStack references cannot be planned, so neither can this one \(fix it first\):\nInvalid stack configuration in foundation\/Pulumi\.t26broken\.yaml:\n {2}- ciplatform-foundation:networkAvailabilityZones: must be a zone letter/,
        );
        assert.doesNotMatch(result.stderr, /\n\s+at |Circular|Offline preview/);
        assert.doesNotMatch(result.stdout, /Offline preview/, "nothing was planned");
    });
});
