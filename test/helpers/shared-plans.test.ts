import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { OUTPUT_INPUTS } from "../../tools/offline/stack-cache";
import { plan } from "./mocks";
import { CACHE_DIR, PLAN_INPUTS, planInputsFingerprint, ROOT, SHIPPED_STACKS, sharedJson } from "./shared-plans";

describe("shared plans of the shipped stacks (test/helpers/shared-plans.ts)", () => {
    const key = `t26-shared-${process.pid}`;
    const file = path.join(CACHE_DIR, `${key}.json`);
    after(() => fs.rmSync(file, { force: true }));

    it("are keyed by the programs' sources, the whole pack, the planning helpers and every shipped stack file", () => {
        for (const entry of [...OUTPUT_INPUTS, "policypack", "test/helpers/mocks.ts", "test/helpers/pack.ts", "package.json"]) {
            assert.ok(PLAN_INPUTS.includes(entry), entry);
        }
        for (const [stack, project] of Object.entries(SHIPPED_STACKS)) {
            const stackFile = path.posix.join(project === "foundation" ? "foundation" : "", `Pulumi.${stack}.yaml`);
            assert.ok(PLAN_INPUTS.includes(stackFile), stackFile);
            assert.ok(fs.existsSync(path.join(ROOT, stackFile)), `${stackFile} exists`);
        }
        assert.match(planInputsFingerprint(), /^[0-9a-f]{64}$/);
    });

    it("plan once per process, read back from disk only under the current fingerprint, and hand out copies", async () => {
        let made = 0;
        const make = async () => ({ made: ++made });
        assert.equal(await sharedJson(key, make), '{"made":1}');
        assert.equal(await sharedJson(key, make), '{"made":1}', "the same process reuses it");
        const kept = JSON.parse(fs.readFileSync(file, "utf8")) as { fingerprint: string; plan: unknown };
        assert.deepEqual(kept, { fingerprint: planInputsFingerprint(), plan: { made: 1 } });
        // Another process (a mocha worker, a later run) sees the kept plan only while its fingerprint matches.
        const other = `${key}-other`;
        const otherFile = path.join(CACHE_DIR, `${other}.json`);
        try {
            fs.writeFileSync(otherFile, JSON.stringify({ fingerprint: planInputsFingerprint(), plan: { kept: true } }));
            assert.equal(await sharedJson(other, make), '{"kept":true}');
            const stale = `${key}-stale`;
            fs.writeFileSync(path.join(CACHE_DIR, `${stale}.json`), JSON.stringify({ fingerprint: "0".repeat(64), plan: { kept: true } }));
            assert.equal(await sharedJson(stale, make), '{"made":2}', "a plan kept under other sources is planned again");
            fs.rmSync(path.join(CACHE_DIR, `${stale}.json`), { force: true });
        } finally {
            fs.rmSync(otherFile, { force: true });
        }
    });

    it("plan() of a shipped stack as it is comes from the shared plan, a copy each time; with a config change it plans afresh", async function () {
        this.timeout(300_000);
        const first = await plan({ stack: "dev" });
        const second = await plan({ stack: "dev" });
        assert.notEqual(first, second, "each call its own copy");
        assert.deepEqual(first, second);
        first.resources.length = 0;
        assert.ok((await plan({ stack: "dev" })).resources.length > 20, "a change to one copy reaches no other");
        const changed = await plan({ stack: "dev", configChanges: { "ciplatform:owner": "someone-else" } });
        const owners = new Set(changed.resources.map((r) => (r.inputs.tags as Record<string, string> | undefined)?.owner).filter(Boolean));
        assert.deepEqual([...owners], ["someone-else"]);
    });
});
