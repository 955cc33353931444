import { spawnSync } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.join(__dirname, "..", "..");

export interface CliResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs one of the project's CLIs (`tools/<name>.ts`) the way `npm run <name>` does. */
export function runCli(name: "plan" | "policy" | "rehearse", args: readonly string[]): CliResult {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", `${name}.ts`), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
