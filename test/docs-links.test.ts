import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { anchorsOf, brokenLinks, documentationFiles, linksOf } from "../tools/docs-links";

const ROOT = path.join(__dirname, "..");

describe("documentation links", () => {
    it("every relative link (and #anchor) in README.md, CONTRIBUTING.md and docs/*.md resolves", () => {
        const files = documentationFiles(ROOT);
        assert.ok(files.includes("README.md") && files.some((f) => f.startsWith("docs/")), files.join(", "));
        assert.deepEqual(brokenLinks(ROOT), []);
    });

    it("README stays a landing page: under 10 KB, with the two quick-start commands CI runs (.ci/run)", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.ok(Buffer.byteLength(readme) < 10 * 1024, `README.md is ${Buffer.byteLength(readme)} bytes`);
        assert.match(readme, /^npm ci && npm run plan\b/m);
        assert.match(readme, /^npm test\b/m);
        const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
        assert.match(ci, /npm ci --no-audit --no-fund && npm run plan/);
        assert.match(ci, /npm test/);
    });

    it("the checker finds a missing file, a missing anchor, and accepts GitHub's heading slugs", () => {
        const doc =
            "# Storage node runbook\n\n## `npm run plan` & co.\n\n[a](x.md) [b](#storage-node-runbook) [c](#npm-run-plan--co) [d](https://e.x) [e](#nope)";
        assert.deepEqual(linksOf(doc), ["x.md", "#storage-node-runbook", "#npm-run-plan--co", "#nope"]);
        assert.deepEqual([...anchorsOf(doc)], ["storage-node-runbook", "npm-run-plan--co"]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "links-"));
        fs.mkdirSync(path.join(dir, "docs"));
        fs.writeFileSync(path.join(dir, "README.md"), doc);
        fs.writeFileSync(path.join(dir, "docs", "a.md"), "[up](../README.md#storage-node-runbook) [gone](../README.md#gone)");
        assert.deepEqual(brokenLinks(dir), [
            "README.md: x.md (no such file)",
            "README.md: #nope (no such heading)",
            "docs/a.md: ../README.md#gone (no such heading)",
        ]);
    });

    it("a pending doc (written by another branch) is accepted only while absent and only from README.md", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "links-"));
        fs.mkdirSync(path.join(dir, "docs"));
        fs.writeFileSync(path.join(dir, "README.md"), "[r](docs/later.md#intro)");
        fs.writeFileSync(path.join(dir, "docs", "a.md"), "[r](later.md)");
        const pending = new Set(["docs/later.md"]);
        assert.deepEqual(brokenLinks(dir, pending), ["docs/a.md: later.md (no such file)"]);
        fs.writeFileSync(path.join(dir, "docs", "later.md"), "# Other\n");
        assert.deepEqual(brokenLinks(dir, pending), ["README.md: docs/later.md#intro (no such heading)"]);
    });
});
