/**
 * `npm run rehearse:bootstrap`: walks docs/empty-account.md's steps in order, each command as written,
 * against the offline engine and stand-ins where AWS would answer (tools/rehearse/bootstrap/run.ts).
 * Exit 0 when every step can be done as written, 1 with the findings otherwise.
 */
import { CliSpec, parseCli, renderHelp, usageLine } from "../cli/args";

export const BOOTSTRAP_CLI: CliSpec = {
    command: "npm run rehearse:bootstrap --",
    summary:
        "Walk docs/empty-account.md's steps in order, each command as written, against the offline engine and stand-ins where AWS would answer.",
    options: {},
    examples: ["npm run rehearse:bootstrap   # every step of docs/empty-account.md, as written"],
    exitCodes: [
        "0  every step can be done as written",
        "1  a step cannot be done as written",
        "2  bad usage or a failure of the rehearsal itself",
    ],
};

async function main(argv: readonly string[]): Promise<number> {
    try {
        if (parseCli(BOOTSTRAP_CLI, argv).values.help) {
            console.log(renderHelp(BOOTSTRAP_CLI));
            return 0;
        }
    } catch (err) {
        console.error(`${(err as Error).message}\n${usageLine(BOOTSTRAP_CLI)}\n(npm run rehearse:bootstrap -- --help)`);
        return 2;
    }
    // Loaded after the arguments are checked: --help and bad usage answer at once.
    const { rehearseBootstrap } = await import("./bootstrap/run.js");
    const findings = await rehearseBootstrap();
    for (const f of findings) {
        console.log(`step ${f.step}: ${f.command}\n    ${f.why}`);
    }
    console.log(
        findings.length === 0
            ? "docs/empty-account.md: every step can be done as written."
            : `${findings.length} step(s) cannot be done as written.`,
    );
    return findings.length === 0 ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(err instanceof Error ? err.stack : err);
            process.exit(2);
        },
    );
}
