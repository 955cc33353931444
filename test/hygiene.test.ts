import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";

const ROOT = path.join(__dirname, "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("project hygiene", () => {
    it("npm refuses a Node.js older than engines (.npmrc engine-strict), and every locked package accepts that minimum", () => {
        assert.match(read(".npmrc"), /^engine-strict=true$/m);
        const pkg = JSON.parse(read("package.json")) as { engines: { node: string } };
        const minimum = semver.minVersion(pkg.engines.node);
        assert.ok(minimum, pkg.engines.node);
        const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
        const refusing = Object.entries(lock.packages)
            .map(([name, p]) => [name, !Array.isArray(p.engines) ? p.engines?.node : undefined] as const)
            .filter(([, range]) => range !== undefined && !semver.satisfies(minimum, range))
            .map(([name, range]) => `${name} needs node ${range}`);
        assert.deepEqual(refusing, [], `with engine-strict, npm ci on Node ${minimum.version} would fail`);
        // scripts/use-node22.sh (what .ci/run sources) replaces any Node below that minimum with one engines accepts.
        const script = read("scripts/use-node22.sh");
        assert.match(script, new RegExp(`^ciplatform_node_min_minor=${minimum.minor}$`, "m"));
        const fetched = /^ciplatform_node_version="([\d.]+)"$/m.exec(script)?.[1];
        assert.ok(fetched && minimum.major === 22 && semver.satisfies(fetched, pkg.engines.node), `use-node22.sh fetches ${fetched}`);
        // The pipelines run the minimum, so what CI proves is what engines promises.
        assert.match(read(".gitlab-ci.yml"), new RegExp(`NODE_IMAGE: "node:${minimum.version}-`));
        assert.match(read(".github/workflows/platform.yml"), new RegExp(`NODE_VERSION: "${minimum.version}"`));
    });

    it("LICENSE is the Apache-2.0 text package.json declares", () => {
        const pkg = JSON.parse(read("package.json")) as { license: string };
        assert.equal(pkg.license, "Apache-2.0");
        const license = read("LICENSE");
        assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
        assert.match(license, /END OF TERMS AND CONDITIONS/);
    });

    it("CHANGELOG has an Unreleased section; CONTRIBUTING says how to run, test, add a rule and add a component", () => {
        assert.match(read("CHANGELOG.md"), /^## \[Unreleased\]$/m);
        const contributing = read("CONTRIBUTING.md");
        for (const heading of ["## Run", "## Test", "## Add a policy rule", "## Add a component"]) {
            assert.ok(contributing.includes(`\n${heading}\n`), heading);
        }
    });

    it("npm test runs the lint (ESLint and Prettier)", () => {
        const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
        assert.match(scripts.test, /npm run lint/);
        assert.match(scripts.lint, /eslint/);
        assert.match(scripts.lint, /prettier --check/);
    });
});
