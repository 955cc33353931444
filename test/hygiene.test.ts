import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
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

    it("every package the programs load at run time (index.ts, foundation/index.ts and what they import) is a dependency, not a devDependency", () => {
        // `npm ci --omit=dev` (a deploy image) installs dependencies only: a run-time import of a devDependency fails there.
        const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };
        const runtimeImport = /^\s*(?:import(?!\s+type\b)[^;]*?\bfrom\s*|import\s*|export(?!\s+type\b)[^;]*?\bfrom\s*)"([^"]+)"/gm;
        const seen = new Set<string>();
        const packages = new Map<string, string>();
        const visit = (file: string): void => {
            if (seen.has(file)) return;
            seen.add(file);
            for (const [, spec] of read(file).matchAll(runtimeImport)) {
                if (spec.startsWith(".")) {
                    const base = path.join(path.dirname(file), spec);
                    const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(path.join(ROOT, f)));
                    if (target) visit(target);
                } else if (!spec.startsWith("node:") && !builtinModules.includes(spec)) {
                    const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                    packages.set(name, file);
                }
            }
        };
        visit("index.ts");
        visit("foundation/index.ts");
        assert.ok(seen.size > 20, `followed ${seen.size} files`);
        assert.ok(packages.has("@pulumi/aws") && packages.has("yaml"), [...packages.keys()].join(", "));
        const notDependencies = [...packages].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (${file})`);
        assert.deepEqual(notDependencies, [], "imported at run time but not in package.json dependencies");
    });
});
