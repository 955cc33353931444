/**
 * Checks that every relative link in README.md, CONTRIBUTING.md and docs/*.md resolves: the file exists and,
 * for `file#anchor` or `#anchor`, the target has a heading with that GitHub slug. Used by test/docs-links.test.ts;
 * `npx tsx tools/docs-links.ts` prints the broken ones.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Docs other branches are writing, linked from README's "where to go next" before they land on main.
 * A link to one of them is accepted only from README.md and only while the file is absent: once it exists
 * it is checked like any other. Remove an entry when its file has been merged.
 */
export const PENDING_DOCS: ReadonlySet<string> = new Set<string>([]); // all merged: a missing doc is a broken link again

/** The documentation files checked, relative to `root`, with `/` separators. */
export function documentationFiles(root: string): string[] {
    const top = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "examples/README.md"].filter((f) => fs.existsSync(path.join(root, f)));
    const docsDir = path.join(root, "docs");
    const docs = fs.existsSync(docsDir)
        ? fs
              .readdirSync(docsDir)
              .filter((f) => f.endsWith(".md"))
              .sort()
              .map((f) => `docs/${f}`)
        : [];
    return [...top, ...docs];
}

/** Markdown without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
    return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** Relative link targets of a Markdown text (external URLs and mailto left out). */
export function linksOf(markdown: string): string[] {
    const targets = [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
    return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-");
}

/** The anchors a Markdown text's headings define (duplicates numbered as GitHub does). */
export function anchorsOf(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    for (const m of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
        const base = slug(m[1]);
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    return anchors;
}

/** Every broken relative link, as "file: target (why)". */
export function brokenLinks(root: string, pending: ReadonlySet<string> = PENDING_DOCS): string[] {
    const problems: string[] = [];
    for (const file of documentationFiles(root)) {
        const text = fs.readFileSync(path.join(root, file), "utf8");
        for (const target of linksOf(text)) {
            const [filePart, anchor] = target.split("#", 2);
            const resolved = filePart ? path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(filePart))) : file;
            const absolute = path.join(root, resolved);
            if (!fs.existsSync(absolute)) {
                if (!(file === "README.md" && pending.has(resolved))) {
                    problems.push(`${file}: ${target} (no such file)`);
                }
                continue;
            }
            if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(absolute, "utf8")).has(anchor)) {
                problems.push(`${file}: ${target} (no such heading)`);
            }
        }
    }
    return problems;
}

if (require.main === module) {
    const problems = brokenLinks(path.join(__dirname, ".."));
    for (const p of problems) {
        console.error(p);
    }
    process.exitCode = problems.length ? 1 : 0;
}
