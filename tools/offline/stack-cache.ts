/**
 * Referenced stacks' outputs kept as a backend keeps them: after a stack is planned, its outputs are stored
 * with a fingerprint of everything that decides them (its project's program sources, the offline engine that
 * answers, the locked SDKs, its Pulumi.yaml and stack file). A later plan that references the stack reads
 * them back instead of re-planning it, until any of those changes: the StackReference then sees what a
 * backend would hold after that stack's last `up`.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** What decides a stack's outputs, relative to the repository root: folders are walked for their sources. */
export const OUTPUT_INPUTS = [
    "components",
    "stacks",
    "foundation",
    "tools/offline",
    "index.ts",
    "package-lock.json",
    "tsconfig.json",
    // The programs import these too: the taggable types decide which resources carry the org tags, the IAM quotas
    // how the deployer's policies are split (components/shared/tags.ts, components/foundation/deployer*.ts).
    "policypack/data",
    "policypack/lib",
];

const SOURCE = /\.(ts|json|yaml|yml)$/;
/**
 * A stack file (`Pulumi.<stack>.yaml`) met while walking a folder: it decides only its own stack, which callers name
 * explicitly. Walked, a temporary one (tests write them beside foundation/Pulumi.yaml, in parallel workers) would
 * change every fingerprint while it exists, so kept outputs and plans would be planned again and kept under a
 * fingerprint no later run matches.
 */
const STACK_FILE = /^Pulumi\.[^/]+\.ya?ml$/;

function walk(root: string, entry: string, into: string[]): void {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) {
        return;
    }
    if (fs.statSync(full).isDirectory()) {
        for (const child of fs.readdirSync(full).sort()) {
            if (child !== "node_modules" && !child.startsWith(".") && !STACK_FILE.test(child)) {
                walk(root, path.posix.join(entry, child), into);
            }
        }
    } else if (SOURCE.test(entry)) {
        into.push(entry);
    }
}

/** A hash over files and folders (walked for their sources) relative to `root`: names and contents, a missing file included as such. */
export function filesFingerprint(root: string, entries: readonly string[]): string {
    const files: string[] = [];
    for (const entry of entries) {
        walk(root, entry, files);
        if (!fs.existsSync(path.join(root, entry))) {
            files.push(entry);
        }
    }
    const hash = crypto.createHash("sha256");
    for (const file of [...new Set(files)].sort()) {
        hash.update(file).update("\0");
        hash.update(fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file)) : "(missing)").update("\0");
    }
    return hash.digest("hex");
}

/** A hash over the sources that decide a stack's outputs and its config files. */
export function outputsFingerprint(root: string, projectDir: string, stack: string): string {
    const project = path.relative(root, projectDir) || ".";
    return filesFingerprint(root, [
        ...OUTPUT_INPUTS,
        ...["Pulumi.yaml", `Pulumi.${stack}.yaml`].map((own) => path.posix.join(project, own)),
    ]);
}

/** Where the kept outputs live: under node_modules/.cache, like other tools' caches (never committed). */
export function cacheFile(root: string, stackName: string): string {
    return path.join(root, "node_modules", ".cache", "ciplatform-stack-outputs", `${stackName.replace(/[^\w.-]/g, "_")}.json`);
}

/** The kept outputs of a stack, if its fingerprint still matches. */
export function readKeptOutputs(root: string, stackName: string, fingerprint: string): Record<string, unknown> | undefined {
    try {
        const kept = JSON.parse(fs.readFileSync(cacheFile(root, stackName), "utf8")) as {
            fingerprint?: string;
            outputs?: Record<string, unknown>;
        };
        return kept.fingerprint === fingerprint && kept.outputs && typeof kept.outputs === "object" ? kept.outputs : undefined;
    } catch {
        return undefined;
    }
}

/** Keeps a stack's outputs with the fingerprint they were planned under (written atomically). */
export function keepOutputs(root: string, stackName: string, fingerprint: string, outputs: Record<string, unknown>): void {
    const file = cacheFile(root, stackName);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ fingerprint, outputs }));
    fs.renameSync(tmp, file);
}
