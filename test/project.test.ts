import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { renderProjectFile, updateReference } from "../tools/gen-project-config";
import { taggableTypes } from "../tools/gen-taggable-types";
import { updateDocs } from "../tools/gen-policy-docs";
import { policies } from "../policypack/policies";
import { RATIONALE } from "../policypack/rationale";
import { describeSettings } from "../stacks/config";

const ROOT = path.join(__dirname, "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("project files", () => {
    it("Pulumi.yaml declares every setting with its type, help text and default (run npm run gen:config if stale)", () => {
        assert.equal(read("Pulumi.yaml"), renderProjectFile());
        const declared = (YAML.parse(read("Pulumi.yaml")) as { config: Record<string, { type: string; description: string }> }).config;
        for (const setting of describeSettings()) {
            assert.equal(declared[setting.key]?.type, setting.type, setting.key);
            assert.ok(declared[setting.key].description.length > 10, setting.key);
        }
    });

    it("docs/configuration.md's reference matches the settings (run npm run gen:config if stale)", () => {
        const doc = read("docs/configuration.md");
        assert.equal(doc, updateReference(doc));
    });

    it("docs/policy-pack.md's rules and default exemptions match the pack, and every rule says why (run npm run gen:docs if stale)", () => {
        const docs = read("docs/policy-pack.md");
        assert.equal(docs, updateDocs(docs));
        assert.deepEqual(
            policies.map((p) => p.name).filter((name) => !RATIONALE[name]),
            [],
        );
    });

    it("the taggable-types list matches the installed SDKs (run npx tsx tools/gen-taggable-types.ts if stale)", () => {
        const list = JSON.parse(read("policypack/data/taggable-types.json")) as string[];
        assert.deepEqual(list, taggableTypes());
        assert.ok(list.includes("aws:kms/key:Key") && list.includes("eks:index:Cluster"));
        assert.ok(!list.includes("aws:s3/bucketPolicy:BucketPolicy"));
    });

    it("the policy pack is self-contained: it imports nothing from outside policypack/", () => {
        const files = fs.readdirSync(path.join(ROOT, "policypack"), { recursive: true }) as string[];
        for (const file of files.filter((f) => f.endsWith(".ts") && !f.includes("node_modules"))) {
            const source = read(path.join("policypack", file));
            for (const [, spec] of source.matchAll(/from\s+"([^"]+)"/g)) {
                assert.ok(
                    !spec.startsWith("../") || path.join("policypack", path.dirname(file), spec).startsWith("policypack"),
                    `${file} imports ${spec}`,
                );
            }
        }
    });
});
