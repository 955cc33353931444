/**
 * `npm run rehearse:bootstrap`: walks docs/empty-account.md's steps in order, each command as written,
 * against the offline engine and stand-ins where AWS would answer (tools/rehearse/bootstrap/run.ts).
 * Exit 0 when every step can be done as written, 1 with the findings otherwise.
 */
import { rehearseBootstrap } from "./bootstrap/run";

async function main(): Promise<number> {
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

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err instanceof Error ? err.stack : err);
        process.exit(2);
    },
);
