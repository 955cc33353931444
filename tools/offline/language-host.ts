/**
 * Starts a Pulumi program the way the CLI's Node.js language host does for `pulumi preview`:
 * `node [nodeargs] node_modules/@pulumi/pulumi/cmd/run --monitor … --engine … --project … --stack …
 * --pwd <project> --dry-run <entry point>`, with the config in `PULUMI_CONFIG` (keys as
 * `<namespace>:config:<name>`), the secret keys in `PULUMI_CONFIG_SECRET_KEYS`, and TypeScript
 * through ts-node (`PULUMI_NODEJS_TYPESCRIPT`) unless `Pulumi.yaml` turns it off.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { PulumiProject, StackConfig } from "./cli-config";

export interface ProgramRun {
    /** Exit code of the program's process. */
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface RunProgramOptions {
    readonly project: PulumiProject;
    readonly stack: string;
    readonly config: StackConfig;
    /** Address of the engine's ResourceMonitor and Engine services. */
    readonly address: string;
    readonly organization?: string;
    /** The CLI passes its `--parallel` (default: a large number for previews). */
    readonly parallel?: number;
    /** Kill the program after this many milliseconds. @default 300000 */
    readonly timeoutMs?: number;
}

/** The `cmd/run` script of the `@pulumi/pulumi` the project itself installed (searched up from the project, as the host does). */
export function runScriptOf(projectRoot: string): string {
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [projectRoot] }));
    return path.join(sdk, "cmd", "run");
}

/** The language host's transformation of config keys: `ns:name` → `ns:config:name`. */
export function languageHostConfig(config: StackConfig): string {
    const transformed: Record<string, string> = {};
    for (const [key, value] of Object.entries(config.values)) {
        const colon = key.indexOf(":");
        transformed[`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`] = value;
    }
    return JSON.stringify(transformed);
}

/** Splits `nodeargs` like a shell (quotes, no expansion), as the host's shlex does. */
function splitArgs(value: string): string[] {
    return [...value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

export function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
    const { project } = options;
    const runtimeOptions = project.runtime.options;
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PULUMI_CONFIG: languageHostConfig(options.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(options.config.secretKeys),
    };
    // The test runner's or the plan's own loaders must not leak into the program's process.
    delete env.NODE_OPTIONS;
    if (runtimeOptions.typescript !== false) {
        env.PULUMI_NODEJS_TYPESCRIPT = "true";
    }
    if (typeof runtimeOptions.tsconfig === "string") {
        env.PULUMI_NODEJS_TSCONFIG_PATH = runtimeOptions.tsconfig;
    }
    const nodeArgs = typeof runtimeOptions.nodeargs === "string" ? splitArgs(runtimeOptions.nodeargs) : [];
    const args = [
        ...nodeArgs,
        runScriptOf(project.root),
        "--monitor",
        options.address,
        "--engine",
        options.address,
        "--organization",
        options.organization ?? "organization",
        "--project",
        project.name,
        "--root-directory",
        project.root,
        "--stack",
        options.stack,
        "--pwd",
        project.root,
        "--dry-run",
        "--parallel",
        String(options.parallel ?? 2147483647),
        project.main ?? ".",
    ];
    return new Promise<ProgramRun>((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: project.root, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
        });
    });
}
