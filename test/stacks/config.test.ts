import { strict as assert } from "node:assert";
import { ConfigError, formatIssue, parsePlatformConfig } from "../../stacks/config";
import { configWith } from "../helpers/mocks";

function parse(changes: Record<string, unknown>, stack = "dev") {
    return parsePlatformConfig(configWith(stack, changes).values, stack);
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

describe("stack config", () => {
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
            "ciplatform:owner": undefined,
            "ciplatform:protectStatefulResources": "sometimes",
        });
        assert.deepEqual(issues, [
            'ciplatform:environment: Invalid option: expected one of "dev"|"staging"|"prod" (got "qa")',
            "ciplatform:owner: is required: Team that owns the stack; the value of the owner org tag. (not set)",
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
            'ciplatform:enviroment: is not a setting of this project (see Pulumi.yaml for the keys) (got "dev")',
        ]);
    });

    it("rejects reserved aws: tag keys", () => {
        assert.deepEqual(issuesOf({ "ciplatform:tagKeyOwner": "aws:owner" }), [
            'ciplatform:tagKeyOwner: must not start with the reserved prefix aws: (got "aws:owner")',
        ]);
    });

    it("requires the AWS region", () => {
        assert.deepEqual(issuesOf({ "aws:region": undefined }), ["aws:region: is required: the AWS region to deploy to, e.g. eu-west-1 (not set)"]);
        assert.deepEqual(issuesOf({ "aws:region": "mars-1" }), ['aws:region: must be an AWS region name such as eu-west-1 (got "mars-1")']);
    });

    it("keeps prod's 30-day KMS deletion window", () => {
        assert.deepEqual(issuesOf({ "ciplatform:kmsDeletionWindowDays": 7 }, "prod"), [
            "ciplatform:kmsDeletionWindowDays: prod keeps the 30-day KMS deletion window; set 30 or remove the key (got 7)",
        ]);
    });
});
