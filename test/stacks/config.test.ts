import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { AWS_REGIONS, ConfigError, formatIssue, parseFoundationConfig, parsePlatformConfig } from "../../stacks/config";
import { configWith } from "../helpers/mocks";
import { listStacks } from "../../tools/offline/cli-config";
import { PROJECTS } from "../../tools/offline/plan";

/**
 * The program's own validation, on the config the CLI builds for a stack with some raw values
 * changed afterwards (as `pulumi config set` without a declared type could leave them).
 */
function parse(changes: Record<string, unknown>, stack = "dev") {
    const values: Record<string, string> = { ...configWith(stack).values };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) {
            delete values[key];
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return parsePlatformConfig(values, stack);
}

function issuesOf(changes: Record<string, unknown>, stack = "dev"): string[] {
    try {
        parse(changes, stack);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        return err.issues.map(formatIssue);
    }
    assert.fail("config was accepted");
}

/**
 * The stacks of a project the repository ships (tracked by git). Other test files write temporary stack files beside
 * them, and under `mocha --parallel` those exist while this file runs: they are not the project's stacks.
 */
function shippedStacks(dir: string): string[] {
    const tracked = new Set(
        execFileSync("git", ["ls-files", "--", "Pulumi.yaml", "Pulumi.*.yaml"], { cwd: dir, encoding: "utf8" }).split("\n"),
    );
    // An untracked copy of the project (Stryker's sandbox under the ignored .stryker-tmp/, where the mutation run
    // works) has no tracked files: every stack file in it is a copy of a shipped one.
    if (!tracked.has("Pulumi.yaml")) {
        return listStacks(dir);
    }
    return listStacks(dir).filter((stack) => tracked.has(`Pulumi.${stack}.yaml`));
}

describe("stack config", () => {
    it("accepts every default Pulumi.yaml declares, merged into every stack of both projects as the CLI merges them", () => {
        for (const [project, dir] of Object.entries(PROJECTS)) {
            const declared = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
                name: string;
                config: Record<string, { default?: unknown }>;
            };
            const defaults = Object.entries(declared.config).filter(([, d]) => d.default !== undefined);
            assert.ok(defaults.length > 3, `${project} declares defaults`);
            const stacks = shippedStacks(dir);
            assert.ok(stacks.length > 0, `${project} ships stacks`);
            for (const stack of stacks) {
                const config = configWith(stack, {}, project as "platform" | "foundation");
                for (const [key] of defaults) {
                    assert.ok(`${declared.name}:${key}` in config.values, `${project}/${stack} receives ${key}`);
                }
                const parseFn = project === "foundation" ? parseFoundationConfig : parsePlatformConfig;
                assert.doesNotThrow(() => parseFn(config.values, stack), `${project}/${stack}`);
            }
        }
    });

    it("keeps each project's keys in its own namespace, so one project's defaults never reach the other's stacks", () => {
        const platform = configWith("dev").values;
        const foundation = configWith("account", {}, "foundation").values;
        assert.ok(Object.keys(platform).every((k) => !k.startsWith("ciplatform-foundation:")));
        assert.ok(Object.keys(foundation).every((k) => !k.startsWith("ciplatform:")));
        assert.throws(
            () => parsePlatformConfig({ ...platform, "ciplatform:ciProject": "a/b" }, "dev"),
            /ciplatform:ciProject: is not a setting of the ciplatform project/,
        );
    });

    it("parses every shipped stack and fills defaults", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const config = parse({}, stack);
            assert.equal(config.core.environment, stack);
            assert.equal(config.region, "eu-west-1");
            assert.equal(config.core.abacTagKey, "ekssecret");
            assert.equal(config.core.namePrefix, "cip");
        }
    });

    it("decodes typed values from their string form", () => {
        const config = parse({ "ciplatform:kmsDeletionWindowDays": 21, "ciplatform:protectStatefulResources": true });
        assert.equal(config.core.kmsDeletionWindowDays, 21);
        assert.equal(config.core.protectStatefulResources, true);
    });

    it("reports every bad key at once, naming key, value and what is allowed", () => {
        const issues = issuesOf({
            "ciplatform:environment": "qa",
            "ciplatform:kmsDeletionWindowDays": "lots",
            "ciplatform:owner": "",
            "ciplatform:protectStatefulResources": "sometimes",
        });
        assert.deepEqual(issues, [
            'ciplatform:environment: Invalid option: expected one of "dev"|"staging"|"prod" (got "qa")',
            'ciplatform:owner: must be 1-256 letters, digits, spaces or _.:/=+-@ (got "")',
            'ciplatform:protectStatefulResources: Invalid input: expected boolean, received string (got "sometimes")',
            'ciplatform:kmsDeletionWindowDays: Invalid input: expected number, received string (got "lots")',
        ]);
    });

    it("rejects out-of-range numbers and malformed names", () => {
        assert.deepEqual(issuesOf({ "ciplatform:kmsDeletionWindowDays": 3, "ciplatform:namePrefix": "Bad_Prefix" }), [
            'ciplatform:namePrefix: must be 3-16 lower-case letters, digits or hyphens, starting with a letter (got "Bad_Prefix")',
            "ciplatform:kmsDeletionWindowDays: Too small: expected number to be >=7 (got 3)",
        ]);
    });

    it("rejects keys the project does not declare, so typos are not silently ignored", () => {
        assert.deepEqual(issuesOf({ "ciplatform:enviroment": "dev" }), [
            'ciplatform:enviroment: is not a setting of the ciplatform project (see its Pulumi.yaml for the keys) (got "dev")',
        ]);
    });

    it("rejects reserved aws: tag keys", () => {
        assert.deepEqual(issuesOf({ "ciplatform:tagKeyOwner": "aws:owner" }), [
            'ciplatform:tagKeyOwner: must not start with the reserved prefix aws: (got "aws:owner")',
        ]);
    });

    it("requires the AWS region", () => {
        assert.deepEqual(issuesOf({ "aws:region": undefined }), [
            "aws:region: is required: the AWS region to deploy to, e.g. eu-west-1 (not set)",
        ]);
        assert.deepEqual(issuesOf({ "aws:region": "mars-1" }), [
            `aws:region: must be a region the AWS provider knows: ${AWS_REGIONS.join(", ")} (got "mars-1")`,
        ]);
        assert.ok(AWS_REGIONS.includes("eu-west-1") && AWS_REGIONS.includes("us-gov-west-1") && !AWS_REGIONS.includes("eu-west-9"));
    });

    it("keeps prod's 30-day KMS deletion window", () => {
        assert.deepEqual(issuesOf({ "ciplatform:kmsDeletionWindowDays": 7 }, "prod"), [
            "ciplatform:kmsDeletionWindowDays: prod keeps the 30-day KMS deletion window; set 30 or remove the key (got 7)",
        ]);
    });
});
