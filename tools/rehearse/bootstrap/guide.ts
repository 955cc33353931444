/**
 * docs/empty-account.md as the rehearsal reads it: the numbered steps of "From an empty account" and
 * the cases of "Recovery", each with who acts, its shell commands (```sh blocks, line continuations
 * joined, comments dropped) and the console actions the prose asks for, which the guide marks for the
 * rehearsal in HTML comments (`<!-- rehearse: pipeline <event> <branch> -->`, `protect <branches…>`,
 * `ci-variables <output>`), invisible to readers.
 */

export interface GuideStep {
    /** `3` for "### 3. …"; `recovery: <title>` for recovery cases. */
    readonly id: string;
    readonly title: string;
    /** The step's "Who:" text (or the recovery paragraph's first sentence). */
    readonly who: string;
    readonly commands: readonly string[];
    readonly markers: readonly string[][];
    readonly recovery: boolean;
}

export class GuideError extends Error {}

function commandsOf(block: string): string[] {
    const lines = block.replace(/\\\n\s*/g, " ").split("\n");
    return lines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

function blocks(text: string): { commands: string[]; markers: string[][] } {
    const commands: string[] = [];
    for (const m of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
        commands.push(...commandsOf(m[1]));
    }
    const markers = [...text.matchAll(/<!--\s*rehearse:\s*([^>]*?)\s*-->/g)].map((m) => m[1].split(/\s+/));
    return { commands, markers };
}

export function readGuide(markdown: string): GuideStep[] {
    const section = (title: string): string => {
        const start = markdown.indexOf(`\n## ${title}\n`);
        if (start < 0) {
            throw new GuideError(`docs/empty-account.md has no section "## ${title}"`);
        }
        const rest = markdown.slice(start + title.length + 5);
        const end = rest.search(/\n## /);
        return end < 0 ? rest : rest.slice(0, end);
    };
    const steps: GuideStep[] = [];
    const parts = section("From an empty account")
        .split(/\n### /)
        .slice(1);
    parts.forEach((part, index) => {
        const heading = /^(\d+)\. (.+)\n/.exec(part);
        if (!heading) {
            throw new GuideError(`step heading "### ${part.split("\n")[0]}" is not "### <n>. <title>"`);
        }
        if (Number(heading[1]) !== index + 1) {
            throw new GuideError(`step "${heading[0].trim()}" is numbered ${heading[1]}, expected ${index + 1}`);
        }
        const who = /\*\*Who:\*\*\s*([^\n]*)/.exec(part);
        if (!who) {
            throw new GuideError(`step ${heading[1]} does not say who does it (**Who:** …)`);
        }
        steps.push({ id: heading[1], title: heading[2], who: who[1], ...blocks(part), recovery: false });
    });
    const recovery = section("Recovery");
    for (const part of recovery.split(/\n(?=\*\*[^*]+\*\*)/).slice(1)) {
        const title = /^\*\*([^*]+)\*\*/.exec(part)?.[1] ?? "";
        const content = blocks(part);
        steps.push({ id: `recovery: ${title}`, title, who: part.split(/\n\n/)[0], ...content, recovery: true });
    }
    return steps;
}

/**
 * Splits a command line into words the way a POSIX shell does for the forms the guide uses: single
 * quotes literal, double quotes with `$VAR`, `${VAR}` and `$(…)` expanded, unquoted words likewise.
 * Operators (`|`, `&&`, `;`, `>`) are refused: the guide keeps one command per line.
 */
export function splitCommand(line: string, expand: (name: string) => string, substitute: (inner: string) => string): string[] {
    const words: string[] = [];
    let current = "";
    let started = false;
    let i = 0;
    const readSubstitution = (): string => {
        // At "$(": find the matching ")" outside quotes.
        let depth = 0;
        let j = i + 1;
        let quote: string | undefined;
        for (; j < line.length; j++) {
            const c = line[j];
            if (quote) {
                if (c === quote) {
                    quote = undefined;
                }
                continue;
            }
            if (c === "'" || c === '"') {
                quote = c;
            } else if (c === "(") {
                depth++;
            } else if (c === ")") {
                depth--;
                if (depth === 0) {
                    break;
                }
            }
        }
        if (j >= line.length) {
            throw new GuideError(`unbalanced $( in: ${line}`);
        }
        const inner = line.slice(i + 2, j);
        i = j + 1;
        return substitute(inner).replace(/\n+$/, "");
    };
    const readVariable = (): string => {
        const m = /^\$(?:\{(\w+)\}|(\w+))/.exec(line.slice(i));
        if (!m) {
            i++;
            return "$";
        }
        i += m[0].length;
        return expand(m[1] ?? m[2]);
    };
    while (i < line.length) {
        const c = line[i];
        if (/\s/.test(c)) {
            if (started) {
                words.push(current);
                current = "";
                started = false;
            }
            i++;
            continue;
        }
        if (c === "|" || c === ";" || c === ">" || c === "<" || c === "&" || c === "`") {
            throw new GuideError(`shell operator ${JSON.stringify(c)} in: ${line} (the guide keeps one command per line)`);
        }
        started = true;
        if (c === "'") {
            const end = line.indexOf("'", i + 1);
            if (end < 0) {
                throw new GuideError(`unterminated ' in: ${line}`);
            }
            current += line.slice(i + 1, end);
            i = end + 1;
            continue;
        }
        if (c === '"') {
            i++;
            while (i < line.length && line[i] !== '"') {
                if (line[i] === "\\" && i + 1 < line.length) {
                    current += line[i + 1];
                    i += 2;
                } else if (line.startsWith("$(", i)) {
                    current += readSubstitution();
                } else if (line[i] === "$") {
                    current += readVariable();
                } else {
                    current += line[i++];
                }
            }
            if (i >= line.length) {
                throw new GuideError(`unterminated " in: ${line}`);
            }
            i++;
            continue;
        }
        if (line.startsWith("$(", i)) {
            current += readSubstitution();
            continue;
        }
        if (c === "$") {
            current += readVariable();
            continue;
        }
        current += c;
        i++;
    }
    if (started) {
        words.push(current);
    }
    return words;
}
