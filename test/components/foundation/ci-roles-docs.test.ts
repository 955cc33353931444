import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { CI_ROLES_FILE, renderDoc, renderSizes, SIZING } from "../../../tools/gen-ci-roles-docs";

describe("CI roles document (docs/ci-roles.md)", () => {
    const doc = fs.readFileSync(CI_ROLES_FILE, "utf8");

    it("its tables are generated from the provider-action map and the Deployer's documents (run npx tsx tools/gen-ci-roles-docs.ts)", () => {
        assert.equal(doc, renderDoc(doc));
    });

    it("its IAM size table lists every document of every CI role with the longest namePrefix, each within its quota", () => {
        const rows = renderSizes()
            .split("\n")
            .filter((l) => l.startsWith("| `"));
        // The preview role's two rows; per environment two boundaries, trust, inline, the attached count and one row per managed policy.
        for (const environment of ["dev", "staging", "prod"]) {
            const attached = rows.find((r) => r.includes(`-deployer-deploy-${environment}\` | managed policies attached`));
            assert.ok(attached, environment);
            const count = Number(attached.split("|")[3]);
            assert.equal(rows.filter((r) => new RegExp(`-deployer-deploy-${environment}-\\d+\``).test(r)).length, count, environment);
        }
        assert.ok(rows.length >= 2 + 3 * 8, rows.join("\n"));
        for (const row of rows) {
            const [size, limit, headroom] = row.split("|").slice(3, 6).map(Number);
            assert.ok(size <= limit && headroom === limit - size, row);
            assert.ok(row.includes(SIZING.namePrefix), row);
        }
    });
});
