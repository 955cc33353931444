import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_CONFIG } from "../../policypack/config";
import {
    PLATFORM_POLICY_CONFIG_FILE,
    platformExemptions,
    platformPolicyConfig,
    PolicyConfigError,
    readPolicyConfigFile,
} from "../../tools/offline/analyzer";
import { runCli } from "../helpers/cli";
import { plan, PlanFile } from "../helpers/mocks";

/** `*` matches any run of characters, as the pack matches exemption names (policypack/config.ts). */
const matches = (pattern: string, name: string): boolean =>
    new RegExp(
        `^${pattern
            .split("*")
            .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
    ).test(name);

const mandatory = (p: PlanFile) => p.policy.violations.filter((v) => v.enforcementLevel === "mandatory");

describe("the platform's exemptions live in policy-config.json, not in the pack (issue #24)", () => {
    it("the published pack's defaults name no exemption and no admin role", () => {
        assert.deepEqual(DEFAULT_CONFIG.exemptions, []);
        assert.deepEqual(DEFAULT_CONFIG.adminRoles, []);
    });

    describe("without the file the pack flags every resource the file exempts; with it the platform's plans have no mandatory violation", () => {
        const bare = new Map<string, PlanFile>();
        before(async function () {
            this.timeout(600_000);
            for (const stack of ["dev", "account"]) {
                bare.set(stack, await plan({ stack, policyConfig: {} }));
            }
        });

        for (const exemption of platformExemptions()) {
            it(`${exemption.resourceName} (${(exemption.policies ?? []).join(", ")}) is needed: flagged mandatory without the file`, () => {
                const flagged = [...bare.values()]
                    .flatMap(mandatory)
                    .filter(
                        (v) =>
                            (exemption.policies ?? [v.policy]).includes(v.policy) &&
                            matches(exemption.resourceName ?? "", v.urn.split("::").pop() ?? ""),
                    );
                assert.ok(
                    flagged.length > 0,
                    `no mandatory finding of ${exemption.policies?.join(", ")} on ${exemption.resourceName}: a stale exemption, remove it`,
                );
            });
        }

        it("adminRoles (the deploy role may change ABAC tags) is needed: flagged mandatory without the file", () => {
            const admins = platformPolicyConfig()["iam-policy-deny-abac-tag-changes"]?.adminRoles as string[];
            assert.ok(admins.length > 0);
            const flagged = [...bare.values()]
                .flatMap(mandatory)
                .filter(
                    (v) =>
                        v.policy === "iam-policy-deny-abac-tag-changes" &&
                        admins.some((a) => v.message.includes(a.replace(/\*/g, "").replace(/-$/, ""))),
                );
            assert.ok(flagged.length > 0, "the deploy role's tagging is not flagged without adminRoles");
        });

        for (const stack of ["dev", "staging", "prod", "account"]) {
            it(`${stack}: 0 mandatory violations with the file (the default of npm run plan and the test plans)`, async function () {
                this.timeout(600_000);
                const planned = await plan({ stack });
                assert.deepEqual(
                    mandatory(planned).map((v) => `${v.policy} ${v.urn}: ${v.message}`),
                    [],
                );
                if (stack === "dev" || stack === "account") {
                    assert.ok(mandatory(bare.get(stack) as PlanFile).length > 0, "the same stack without the file has mandatory findings");
                }
            });
        }
    });

    describe("the file is validated", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
        const write = (name: string, body: unknown) => {
            const file = path.join(tmp, name);
            fs.writeFileSync(file, JSON.stringify(body));
            return file;
        };
        const reason = "imported queue, migration ticket PLAT-123";
        const exemption = { resourceName: "legacy", policies: ["sqs-queue-require-encryption"], reason };

        it("the shipped file reads clean and is the default", () => {
            assert.equal(path.basename(PLATFORM_POLICY_CONFIG_FILE), "policy-config.json");
            assert.deepEqual(readPolicyConfigFile(PLATFORM_POLICY_CONFIG_FILE), platformPolicyConfig());
        });

        it("an exemption missing from pack-report-exemptions, or missing from a policy it names, is refused naming the file and key", () => {
            const silent = write("silent.json", { "sqs-queue-require-encryption": { exemptions: [exemption] } });
            assert.throws(
                () => readPolicyConfigFile(silent),
                (err: unknown) =>
                    err instanceof PolicyConfigError &&
                    err.message.startsWith(`${silent}: `) &&
                    err.message.includes("sqs-queue-require-encryption.exemptions[0]: not listed under pack-report-exemptions.exemptions"),
            );
            const lopsided = write("lopsided.json", { "pack-report-exemptions": { exemptions: [exemption] } });
            assert.throws(
                () => readPolicyConfigFile(lopsided),
                (err: unknown) =>
                    err instanceof PolicyConfigError &&
                    err.message.includes(
                        "pack-report-exemptions.exemptions[0]: names sqs-queue-require-encryption, but sqs-queue-require-encryption.exemptions does not hold the same object",
                    ),
            );
            const both = write("both.json", {
                "sqs-queue-require-encryption": { exemptions: [exemption] },
                "pack-report-exemptions": { exemptions: [exemption] },
            });
            assert.deepEqual(readPolicyConfigFile(both)["pack-report-exemptions"], { exemptions: [exemption] });
        });

        it("npm run policy: an unknown policy and a malformed exemption exit 2 naming the file and key", () => {
            const input = write("input.json", [{ type: "aws:sqs/queue:Queue", name: "legacy", inputs: {} }]);
            const typo = { resourcename: "legacy", policies: ["sqs-queue-require-encryption"], reason };
            const bad = write("bad.json", {
                "no-such-policy": {},
                "sqs-queue-require-encryption": { exemptions: [typo] },
                "pack-report-exemptions": { exemptions: [typo] },
            });
            const result = runCli("policy", [input, "--policy-config", bad]);
            assert.equal(result.status, 2, result.stdout + result.stderr);
            assert.match(result.stderr, new RegExp(`--policy-config ${bad.replace(/[.\\/]/g, "\\$&")}: invalid policy config`));
            assert.match(result.stderr, /no-such-policy: no such policy/);
            assert.match(result.stderr, /sqs-queue-require-encryption\.exemptions\[0\]\.resourcename: must NOT have additional properties/);
        });
    });
});
