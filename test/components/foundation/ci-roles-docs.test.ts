import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderReadme } from "../../../tools/gen-ci-roles-docs";

describe("CI roles table", () => {
    it("README's table of what each CI role may do is generated from the provider-action map (run npx tsx tools/gen-ci-roles-docs.ts)", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "..", "..", "README.md"), "utf8");
        assert.equal(readme, renderReadme(readme));
    });
});
