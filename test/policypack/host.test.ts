import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyHost, PolicyHostError, POLICY_PACK_DIR } from "../../tools/offline/analyzer";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };

/** An SQS queue without encryption: one finding every build of the pack must report. */
const unencryptedQueue = {
    urn: "urn:pulumi:dev::demo::aws:sqs/queue:Queue::jobs",
    type: "aws:sqs/queue:Queue",
    name: "jobs",
    properties: { sqsManagedSseEnabled: false, tags: TAGS },
    parent: null,
    protect: false,
    dependsOn: [],
};

/**
 * The pack as `pulumi policy publish` ships it (`npm pack`) and as the CLI enforces it (extracted,
 * `npm install`, started with `cmd/run-policy-pack` in its folder): nothing from this repository.
 */
describe("policy pack under the real policy host", function () {
    this.timeout(300_000);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-pack-"));
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("packed, installed alone and started by run-policy-pack, analyzes a resource over gRPC", async () => {
        const tarball =
            execFileSync(NPM, ["pack", "--silent", "--pack-destination", scratch], { cwd: POLICY_PACK_DIR, encoding: "utf8" })
                .trim()
                .split("\n")
                .pop() ?? "";
        const packDir = path.join(scratch, "published");
        fs.mkdirSync(packDir);
        execFileSync("tar", ["-xzf", path.join(scratch, tarball), "-C", packDir, "--strip-components=1"]);
        assert.ok(fs.existsSync(path.join(packDir, "PulumiPolicy.yaml")), "the published pack carries PulumiPolicy.yaml");
        // The cache the project's own install filled serves the same pinned versions.
        execFileSync(NPM, ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock"], {
            cwd: packDir,
            encoding: "utf8",
            stdio: "pipe",
        });

        const host = await PolicyHost.start(packDir);
        try {
            assert.equal(host.info.name, "ciplatform");
            const violations = await host.analyze([unencryptedQueue]);
            assert.deepEqual(
                violations.filter((v) => v.policy === "sqs-queue-require-encryption").map((v) => [v.enforcementLevel, v.urn]),
                [["mandatory", unencryptedQueue.urn]],
            );
        } finally {
            host.stop();
        }
    });

    it("a misconfigured pack fails to start, with the policy host's error", async () => {
        const broken = path.join(scratch, "broken");
        fs.cpSync(POLICY_PACK_DIR, broken, { recursive: true, filter: (src) => !src.includes("node_modules") });
        // What a published pack without its own TypeScript meets: options the compiler cannot take.
        const tsconfig = JSON.parse(fs.readFileSync(path.join(broken, "tsconfig.json"), "utf8")) as {
            compilerOptions: Record<string, unknown>;
        };
        tsconfig.compilerOptions.target = "es2099";
        fs.writeFileSync(path.join(broken, "tsconfig.json"), JSON.stringify(tsconfig));
        fs.symlinkSync(path.join(POLICY_PACK_DIR, "..", "node_modules"), path.join(broken, "node_modules"));
        await assert.rejects(
            PolicyHost.start(broken, { timeoutMs: 120_000 }),
            (err: Error) => err instanceof PolicyHostError && /exited .* before serving[\s\S]*target/i.test(err.message),
        );
    });

    it("refuses policy config that names a policy the pack does not have", async () => {
        const host = await PolicyHost.start();
        try {
            await assert.rejects(
                host.analyze([unencryptedQueue], { "no-such-policy": { enforcementLevel: "advisory" } }),
                /no-such-policy/,
            );
        } finally {
            host.stop();
        }
    });
});
