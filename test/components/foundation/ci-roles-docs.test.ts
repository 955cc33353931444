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
        assert.equal(rows.length, 2 + 3 * 7, rows.join("\n"));
        for (const row of rows) {
            const [size, limit, headroom] = row.split("|").slice(3, 6).map(Number);
            assert.ok(size <= limit && headroom === limit - size, row);
            assert.ok(row.includes(SIZING.namePrefix), row);
        }
    });
});
