/**
 * What every CLI of this repository prints the same way: colour only on a terminal (never in pipes, never
 * with NO_COLOR, https://no-color.org), a progress line on stderr, findings grouped by rule with what to fix,
 * and stack outputs.
 */
import type { Violation } from "../offline/analyzer";

/** Whether to colour a stream: a terminal, and neither NO_COLOR (any non-empty value) nor TERM=dumb. */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") {
        return false;
    }
    if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") {
        return true;
    }
    return stream.isTTY === true && env.TERM !== "dumb";
}

/** ANSI styles that are no-ops when colour is off. */
export interface Styles {
    readonly bold: (s: string) => string;
    readonly dim: (s: string) => string;
    readonly red: (s: string) => string;
    readonly yellow: (s: string) => string;
    readonly green: (s: string) => string;
    readonly cyan: (s: string) => string;
}

export function styles(colour: boolean): Styles {
    const wrap =
        (open: number, close: number) =>
        (s: string): string =>
            colour ? `\u001b[${open}m${s}\u001b[${close}m` : s;
    return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), cyan: wrap(36, 39) };
}

/**
 * A progress line on stderr. On a terminal it is one line rewritten in place; in a pipe or a CI log each
 * phase prints once and counts at most every `intervalMs`, so logs stay short but never silent.
 */
export class Progress {
    private last = "";
    private lastPrinted = 0;
    private readonly started: number;

    constructor(
        private readonly out: { isTTY?: boolean; write(s: string): unknown } = process.stderr,
        private readonly intervalMs = 2000,
        private readonly now: () => number = Date.now,
    ) {
        this.started = now();
    }

    private elapsed(): string {
        return `${((this.now() - this.started) / 1000).toFixed(1)}s`;
    }

    /** A new phase: always shown. */
    phase(text: string): void {
        this.show(text, true);
    }

    /** A count within the phase: shown in place on a terminal, else at most every interval. */
    update(text: string): void {
        this.show(text, false);
    }

    private show(text: string, force: boolean): void {
        if (text === this.last) {
            return;
        }
        this.last = text;
        if (this.out.isTTY) {
            this.out.write(`\r\u001b[2K[${this.elapsed()}] ${text}`);
            return;
        }
        const t = this.now();
        if (force || t - this.lastPrinted >= this.intervalMs) {
            this.lastPrinted = t;
            this.out.write(`[${this.elapsed()}] ${text}\n`);
        }
    }

    /** Ends the progress line (on a terminal, clears it so the report starts on a clean line). */
    done(): void {
        if (this.out.isTTY && this.last) {
            this.out.write("\r\u001b[2K");
        }
        this.last = "";
    }
}

/** The resource name in a URN (its last `::` part). */
const nameOf = (urn: string): string => urn.split("::").pop() ?? urn;

/**
 * Findings grouped by rule, mandatory rules first: each rule once with its level, what it requires (the
 * rule's description, i.e. the fix) and every finding under it with the resource it is about.
 */
export function renderFindings(violations: readonly Violation[], descriptions: ReadonlyMap<string, string>, s: Styles): string {
    if (violations.length === 0) {
        return s.green("Policy: no violations.");
    }
    const byRule = new Map<string, Violation[]>();
    for (const v of violations) {
        byRule.set(v.policy, [...(byRule.get(v.policy) ?? []), v]);
    }
    const order = (level: string): number => (level === "mandatory" ? 0 : level === "advisory" ? 1 : 2);
    const rules = [...byRule.entries()].sort(
        ([a, va], [b, vb]) => order(va[0].enforcementLevel) - order(vb[0].enforcementLevel) || a.localeCompare(b),
    );
    const lines = [s.bold(`Policy: ${violations.length} finding(s) from ${rules.length} rule(s):`)];
    for (const [rule, found] of rules) {
        const level = found[0].enforcementLevel;
        const tag = level === "mandatory" ? s.red(`[${level}]`) : s.yellow(`[${level}]`);
        lines.push("", `${tag} ${s.bold(rule)} (${found.length})`);
        const description = descriptions.get(rule);
        if (description) {
            lines.push(`  ${s.cyan("fix:")} ${description}`);
        }
        for (const v of found) {
            lines.push(`  - ${v.message}${v.urn ? s.dim(`  (${nameOf(v.urn)})`) : ""}`);
        }
    }
    return lines.join("\n");
}

function short(value: unknown, width: number): string {
    // One line per output: a string with line breaks (a PEM) is shown quoted, as JSON.
    const text = typeof value === "string" && !value.includes("\n") ? value : JSON.stringify(value);
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** Stack outputs, one per line (`key: value`, long values shortened; the full values are in --json). */
export function renderOutputs(outputs: Readonly<Record<string, unknown>>, s: Styles, width = 100): string {
    const entries = Object.entries(outputs).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
        return "Outputs: none.";
    }
    const pad = Math.max(...entries.map(([k]) => k.length));
    return [s.bold("Outputs:"), ...entries.map(([k, v]) => `  ${k.padEnd(pad)}  ${short(v, width)}`)].join("\n");
}
