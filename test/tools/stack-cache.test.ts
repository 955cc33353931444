import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT, referencedStack } from "../../tools/offline/plan";
import { cacheFile, keepOutputs, OUTPUT_INPUTS, outputsFingerprint, readKeptOutputs } from "../../tools/offline/stack-cache";

describe("referenced stacks' outputs kept as a backend keeps them (issue #26 speed)", () => {
    it("the fingerprint changes with the program's sources, the engine, the SDK lock and the stack's config, not with docs", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-cache-"));
        const write = (file: string, text: string) => {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), text);
        };
        write("components/network/network.ts", "export const a = 1;");
        write("tools/offline/engine.ts", "engine");
        write("package-lock.json", "{}");
        write("foundation/Pulumi.yaml", "name: f");
        write("foundation/Pulumi.account.yaml", "config: {}");
        write("docs/architecture.md", "# a");
        const dir = path.join(root, "foundation");
        const base = outputsFingerprint(root, dir, "account");
        assert.equal(outputsFingerprint(root, dir, "account"), base, "stable");
        write("docs/architecture.md", "# b");
        assert.equal(outputsFingerprint(root, dir, "account"), base, "docs do not decide outputs");
        for (const [file, text] of [
            ["components/network/network.ts", "export const a = 2;"],
            ["tools/offline/engine.ts", "engine 2"],
            ["package-lock.json", '{"x":1}'],
            ["foundation/Pulumi.account.yaml", "config: { a: 1 }"],
            ["stacks/new-file.ts", "x"],
        ]) {
            const before = outputsFingerprint(root, dir, "account");
            write(file, text);
            assert.notEqual(outputsFingerprint(root, dir, "account"), before, file);
        }
        // Another stack's file beside it (tests write temporary ones while other workers plan) decides nothing here.
        const settled = outputsFingerprint(root, dir, "account");
        write("foundation/Pulumi.t26other.yaml", "config: { b: 1 }");
        assert.equal(outputsFingerprint(root, dir, "account"), settled, "another stack's file does not count");
        assert.notEqual(outputsFingerprint(root, dir, "t26other"), settled, "its own stack file does");
    });

    it("keeps outputs under their fingerprint and hands them back only while it matches", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-cache-"));
        keepOutputs(root, "org/p/s", "f1", { vpcId: "vpc-1" });
        assert.deepEqual(readKeptOutputs(root, "org/p/s", "f1"), { vpcId: "vpc-1" });
        assert.equal(readKeptOutputs(root, "org/p/s", "f2"), undefined);
        assert.equal(readKeptOutputs(root, "org/p/other", "f1"), undefined);
        fs.writeFileSync(cacheFile(root, "org/p/s"), "not json");
        assert.equal(readKeptOutputs(root, "org/p/s", "f1"), undefined, "a damaged entry is planned again, not trusted");
    });

    it("a StackReference reads the kept outputs instead of planning the referenced stack again", async () => {
        const stack = "t26kept";
        const stackFile = path.join(PROJECT_ROOT, "foundation", `Pulumi.${stack}.yaml`);
        fs.copyFileSync(path.join(PROJECT_ROOT, "foundation", "Pulumi.account.yaml"), stackFile);
        const name = `organization/ciplatform-foundation/${stack}`;
        try {
            // Outputs no plan of this stack could produce: if they come back, the stack was not planned.
            const fingerprint = outputsFingerprint(PROJECT_ROOT, path.join(PROJECT_ROOT, "foundation"), stack);
            const kept = { outputs: { marker: "kept, not planned" }, backend: null, resources: [] };
            keepOutputs(PROJECT_ROOT, name, fingerprint, kept);
            const phases: string[] = [];
            const held = await referencedStack(name, "organization", [], (p) => phases.push(p.phase));
            assert.deepEqual(held, kept);
            assert.deepEqual(phases, ["reference"], "nothing registered: the foundation program did not run");
        } finally {
            fs.rmSync(stackFile, { force: true });
            fs.rmSync(cacheFile(PROJECT_ROOT, name), { force: true });
        }
    });

    it("every file the programs import from this repository is one the fingerprint covers (else kept outputs could be stale)", () => {
        const covered = (file: string) => OUTPUT_INPUTS.some((entry) => file === entry || file.startsWith(`${entry}/`));
        const seen = new Set<string>();
        const visit = (file: string) => {
            if (seen.has(file)) {
                return;
            }
            seen.add(file);
            const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
            for (const [, spec] of text.matchAll(/(?:from\s+|import\(|require\()\s*["'](\.{1,2}\/[^"']+)["']/g)) {
                const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
                const resolved = [base, `${base}.ts`, `${base}/index.ts`].find(
                    (f) => fs.existsSync(path.join(PROJECT_ROOT, f)) && fs.statSync(path.join(PROJECT_ROOT, f)).isFile(),
                );
                assert.ok(resolved, `${file} imports ${spec}`);
                if (resolved.endsWith(".ts")) {
                    visit(resolved);
                } else {
                    seen.add(resolved);
                }
            }
        };
        visit("index.ts");
        visit("foundation/index.ts");
        const outside = [...seen].filter((f) => !covered(f));
        assert.deepEqual(outside, [], "imported by a program but not in OUTPUT_INPUTS");
    });
});
