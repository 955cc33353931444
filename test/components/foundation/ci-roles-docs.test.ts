import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { CI_ROLES_FILE, renderDoc } from "../../../tools/gen-ci-roles-docs";

describe("CI roles table", () => {
    it("docs/ci-roles.md's table of what each CI role may do is generated from the provider-action map (run npx tsx tools/gen-ci-roles-docs.ts)", () => {
        const doc = fs.readFileSync(CI_ROLES_FILE, "utf8");
        assert.equal(doc, renderDoc(doc));
    });
});
