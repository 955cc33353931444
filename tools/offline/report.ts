import type { Violation } from "./analyzer";

interface TreeNode {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly protect?: boolean;
}

/** Renders resources as an indented tree (children under their parent), one line each. */
export function renderTree(resources: readonly TreeNode[]): string {
    const children = new Map<string | null, TreeNode[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        const parent = r.parent && urns.has(r.parent) ? r.parent : null;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const lines: string[] = [];
    const visit = (parent: string | null, depth: number): void => {
        for (const r of children.get(parent) ?? []) {
            lines.push(`${"  ".repeat(depth)}${depth > 0 ? "└─ " : ""}${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`);
            visit(r.urn, depth + 1);
        }
    };
    visit(null, 0);
    return lines.join("\n");
}

export function renderViolations(violations: readonly Violation[]): string {
    if (violations.length === 0) {
        return "Policy: no violations.";
    }
    return [
        `Policy: ${violations.length} finding(s):`,
        ...violations.map((v) => `  [${v.enforcementLevel}] ${v.policy}: ${v.message}${v.urn ? `\n      at ${v.urn}` : ""}`),
    ].join("\n");
}
