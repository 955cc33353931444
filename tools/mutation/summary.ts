/**
 * `npm run test:mutation` ends with this summary: the mutation score of the last Stryker run
 * (`reports/mutation/mutation.json`, the mutation-testing-elements report Stryker writes), per area
 * and in all, as Stryker scores it: killed plus timed-out mutants over every valid mutant (survivors
 * and mutants no test reaches included; compile errors and ignored static mutants excluded).
 *
 * Run in pieces (`stryker run --mutate <files>`), each run's report holds only the files it mutated:
 * `npm run test:mutation:summary -- <report.json>...` scores the union, a file's later report replacing its earlier one.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const REPORT = path.join(__dirname, "..", "..", "reports", "mutation", "mutation.json");
/** The score the security-critical code must reach (issue #27). */
export const TARGET_SCORE = 85;

type Status = "Killed" | "Timeout" | "Survived" | "NoCoverage" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";

interface Report {
    readonly files: Record<string, { readonly mutants: ReadonlyArray<{ readonly status: Status }> }>;
}

export interface AreaScore {
    readonly area: string;
    readonly detected: number;
    readonly valid: number;
    readonly survived: number;
    readonly noCoverage: number;
    /** Percentage, or undefined when the area has no valid mutant. */
    readonly score: number | undefined;
}

/** The area a mutated file counts in: its top folder, and its capability folder under components/. */
export function areaOf(file: string): string {
    const parts = file.split(/[\\/]/);
    return parts[0] === "components" && parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** One report of every file in `reports`, each file as its last report has it. */
export function mergeReports(reports: readonly Report[]): Report {
    return { files: Object.assign({}, ...reports.map((r) => r.files)) as Report["files"] };
}

export function scoreReport(report: Report): AreaScore[] {
    const areas = new Map<string, { detected: number; valid: number; survived: number; noCoverage: number }>();
    const add = (area: string, status: Status): void => {
        const entry = areas.get(area) ?? { detected: 0, valid: 0, survived: 0, noCoverage: 0 };
        if (status === "Killed" || status === "Timeout") {
            entry.detected++;
            entry.valid++;
        } else if (status === "Survived") {
            entry.survived++;
            entry.valid++;
        } else if (status === "NoCoverage") {
            entry.noCoverage++;
            entry.valid++;
        }
        areas.set(area, entry);
    };
    for (const [file, { mutants }] of Object.entries(report.files)) {
        for (const mutant of mutants) {
            add(areaOf(file), mutant.status);
            add("all", mutant.status);
        }
    }
    return [...areas.entries()]
        .map(([area, e]) => ({ area, ...e, score: e.valid === 0 ? undefined : (100 * e.detected) / e.valid }))
        .sort((a, b) => (a.area === "all" ? 1 : b.area === "all" ? -1 : a.area.localeCompare(b.area)));
}

export function renderScores(scores: readonly AreaScore[]): string {
    const rows = scores.map(
        (s) =>
            `${s.area.padEnd(28)} ${(s.score === undefined ? "-" : s.score.toFixed(1) + "%").padStart(7)}  ` +
            `${String(s.detected).padStart(5)} detected / ${String(s.valid).padStart(5)} valid  ` +
            `(${s.survived} survived, ${s.noCoverage} not reached)`,
    );
    const all = scores.find((s) => s.area === "all");
    const verdict =
        all?.score === undefined
            ? "no valid mutants"
            : all.score >= TARGET_SCORE
              ? `target met (>= ${TARGET_SCORE}%)`
              : `below the ${TARGET_SCORE}% target`;
    return [`Mutation score by area (killed + timed out over valid mutants):`, ...rows, `Overall: ${verdict}`].join("\n");
}

if (require.main === module) {
    const files = process.argv.length > 2 ? process.argv.slice(2) : [REPORT];
    const missing = files.filter((file) => !fs.existsSync(file));
    if (missing.length > 0) {
        console.error(`no mutation report at ${missing.join(", ")}: run npm run test:mutation first`);
        process.exit(2);
    }
    console.log(renderScores(scoreReport(mergeReports(files.map((file) => JSON.parse(fs.readFileSync(file, "utf8")) as Report)))));
}
