/**
 * Regenerates `policypack/data/taggable-types.json`: every AWS (and pulumi-eks) resource type whose
 * `Args` accept a `tags` map, read from the installed SDKs' type declarations. The program's org-tag
 * transformation and the pack's org-tag rule both use it, so "taggable" means the same to both.
 * Run after upgrading `@pulumi/aws` or `@pulumi/eks`; a test fails while the file is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const OUTPUT = path.join(__dirname, "..", "policypack", "data", "taggable-types.json");

function walk(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "types" || entry.name === "node_modules" ? [] : walk(full);
        }
        return entry.name.endsWith(".js") ? [full] : [];
    });
}

/** A map-typed `tags` field in the class's `Args` interface marks the type as taggable. */
function taggableTypesIn(packageDir: string): string[] {
    const types: string[] = [];
    for (const jsFile of walk(packageDir)) {
        const js = fs.readFileSync(jsFile, "utf8");
        const token = /__pulumiType = '([^']+)'/.exec(js)?.[1];
        const dts = jsFile.replace(/\.js$/, ".d.ts");
        if (!token || !fs.existsSync(dts)) {
            continue;
        }
        const declarations = fs.readFileSync(dts, "utf8");
        const args = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(declarations)?.[1] ?? "";
        if (/\n\s+tags\?: pulumi\.Input<\{/.test(args)) {
            types.push(token);
        }
    }
    return types;
}

export function taggableTypes(root = path.join(__dirname, "..", "node_modules", "@pulumi")): string[] {
    return [...taggableTypesIn(path.join(root, "aws")), ...taggableTypesIn(path.join(root, "eks"))].sort();
}

if (require.main === module) {
    const types = taggableTypes();
    fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
    fs.writeFileSync(OUTPUT, JSON.stringify(types, null, 1) + "\n");
    console.log(`wrote ${types.length} taggable types to ${path.relative(process.cwd(), OUTPUT)}`);
}
