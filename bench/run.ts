/**
 * `npm run bench [-- --quick] [--with-tests]`: the offline plan against its floor (an empty program run the same way), the
 * pack's throughput and growth, Pulumi's awsguard over the same resources, and `npm test`'s wall
 * time. Prints a table and writes bench/results/latest.json. Figures are medians with min/max;
 * compare the ratios measured in one run, the machine is shared and noisy.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CliSpec, parseCli, renderHelp, usageLine } from "../tools/cli/args";
import { Progress } from "../tools/cli/output";
import { Summary, summarize, syntheticStack, typeMix } from "./stats";

const ROOT = path.join(__dirname, "..");
const NODE = process.execPath;

function timed(args: string[], cwd = ROOT): { ms: number; maxRssKb: number; status: number | null; stderr: string } {
    const start = process.hrtime.bigint();
    const result = spawnSync("/usr/bin/time", ["-f", "%M", NODE, ...args], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const rss = Number(result.stderr.trim().split("\n").pop());
    return { ms, maxRssKb: rss, status: result.status, stderr: result.stderr };
}

function repeat(times: number, run: () => { ms: number; maxRssKb: number }): { time: Summary; memoryMb: Summary } {
    const runs = Array.from({ length: times }, run);
    return { time: summarize(runs.map((r) => r.ms)), memoryMb: summarize(runs.map((r) => r.maxRssKb / 1024)) };
}

interface PackRun {
    which: string;
    count: number;
    samples: number[];
    findings: number;
    policyCount: number;
}

function runPack(which: "ours" | "awsguard", count: number, repeats: number): PackRun {
    const out = execFileSync(NODE, ["--import", "tsx", path.join(__dirname, "pack-runner.ts"), which, String(count), String(repeats)], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(out.trim().split("\n").pop() ?? "{}") as PackRun;
}

function ensurePeer(): string | undefined {
    const peer = path.join(__dirname, "peer");
    if (fs.existsSync(path.join(peer, "node_modules", "@pulumi", "awsguard"))) {
        return undefined;
    }
    const lock = fs.existsSync(path.join(peer, "package-lock.json"));
    const result = spawnSync("npm", [lock ? "ci" : "install", "--no-audit", "--no-fund", "--ignore-scripts"], {
        cwd: peer,
        encoding: "utf8",
    });
    return result.status === 0 ? undefined : `could not install @pulumi/awsguard into bench/peer: ${result.stderr.slice(-400)}`;
}

const fmt = (s: Summary, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;

export const BENCH_CLI: CliSpec = {
    command: "npm run bench --",
    summary: "Measure the offline plan against its floor, the pack's throughput against awsguard, and (optionally) npm test's wall time.",
    options: {
        quick: { type: "boolean", description: "2 repetitions instead of 5" },
        "with-tests": { type: "boolean", description: "also time `npm test` (the 90 s target)" },
    },
    examples: [
        "npm run bench                        # the full run",
        "npm run bench -- --quick --with-tests # fewer repetitions, npm test timed too",
    ],
    exitCodes: ["0  measured (targets met or not: see the table)", "2  usage, or a measured command failed"],
};

function main(): void {
    let values: { quick?: boolean; "with-tests"?: boolean; help?: boolean };
    try {
        ({ values } = parseCli<typeof values>(BENCH_CLI, process.argv.slice(2)));
    } catch (err) {
        console.error(`${(err as Error).message}\n${usageLine(BENCH_CLI)}`);
        process.exitCode = 2;
        return;
    }
    if (values.help) {
        console.log(renderHelp(BENCH_CLI));
        return;
    }
    const quick = values.quick ?? false;
    const repeats = quick ? 2 : 5;
    const rows: string[][] = [];
    const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, quick };

    // Plan of each stack next to the floor: Node + tsx + the SDK modules the program loads.
    // The floor is measured the same way: the same tool, loader, engine and policy host on an empty program.
    const progress = new Progress(process.stderr);
    progress.phase(`bench (${quick ? "quick" : "full"}): plan floor, ${repeats} runs`);
    const floor = repeat(repeats, () => timed(["--import", "tsx", "tools/plan.ts", "--project", "bench/floor", "--stack", "floor"]));
    rows.push(["plan floor (empty program, same loader, engine, policy host)", `${fmt(floor.time)} ms`, `${fmt(floor.memoryMb)} MB`, ""]);
    const plans: Record<string, unknown> = {};
    for (const stack of ["dev", "staging", "prod"]) {
        progress.phase(`plan of ${stack}, ${repeats} runs`);
        const plan = repeat(repeats, () => timed(["--import", "tsx", "tools/plan.ts", "--stack", stack]));
        const ratio = plan.time.median / floor.time.median;
        plans[stack] = { ...plan, ratioToFloor: ratio };
        rows.push([
            `plan ${stack} (tools/plan.ts, no npm wrapper)`,
            `${fmt(plan.time)} ms`,
            `${fmt(plan.memoryMb)} MB`,
            `${ratio.toFixed(2)}x floor ${stack === "prod" ? (ratio <= 2 ? "PASS (<=2x)" : "FAIL (>2x)") : ""}`,
        ]);
    }
    results.plan = { floor, stacks: plans };

    // Pack throughput through the analyzer handlers, as in the plan.
    const sizes = quick ? [1000, 10000] : [1000, 10000, 50000];
    const ours: Record<number, PackRun & { perSecond: number; time: Summary }> = {};
    for (const count of sizes) {
        progress.phase(`pack at ${count} resources`);
        const run = runPack("ours", count, count >= 50000 ? Math.min(repeats, 3) : repeats);
        const time = summarize(run.samples);
        ours[count] = { ...run, time, perSecond: count / (time.median / 1000) };
        const target = count === 10000 ? (ours[count].perSecond >= 20000 ? "PASS (>=20k/s)" : "FAIL (<20k/s)") : "";
        rows.push([
            `pack: ${count} resources (${run.policyCount} policies)`,
            `${fmt(time)} ms`,
            "",
            `${Math.round(ours[count].perSecond)} res/s ${target}`,
        ]);
    }
    if (ours[50000]) {
        const growth = ours[50000].time.median / ours[10000].time.median;
        rows.push([
            "pack growth 10k -> 50k (linear = 5x)",
            "",
            "",
            `${growth.toFixed(2)}x ${growth <= 5.5 ? "PASS (<=5.5x)" : "FAIL (>5.5x)"}`,
        ]);
        results.packGrowth = growth;
    }
    results.pack = { mix: typeMix(syntheticStack(1100)), runs: ours };

    // Peer: awsguard over the same resources, per resource and per rule.
    const peerError = ensurePeer();
    if (peerError) {
        rows.push(["peer: @pulumi/awsguard", "not run", "", peerError]);
        results.peer = { error: peerError };
    } else {
        const count = 10000;
        progress.phase(`awsguard at ${count} resources`);
        const peer = runPack("awsguard", count, repeats);
        const peerTime = summarize(peer.samples);
        const oursPerRule = ours[count].time.median / (count * ours[count].policyCount);
        const peerPerRule = peerTime.median / (count * peer.policyCount);
        rows.push([
            `peer: awsguard, ${count} resources (${peer.policyCount} policies)`,
            `${fmt(peerTime)} ms`,
            "",
            `${Math.round(count / (peerTime.median / 1000))} res/s`,
        ]);
        rows.push([
            "per rule per resource: ours vs awsguard",
            `${(oursPerRule * 1e3).toFixed(3)} vs ${(peerPerRule * 1e3).toFixed(3)} us`,
            "",
            oursPerRule <= peerPerRule ? "PASS (<= awsguard)" : "FAIL (> awsguard)",
        ]);
        results.peer = { count, time: peerTime, policyCount: peer.policyCount, oursPerRuleMs: oursPerRule, peerPerRuleMs: peerPerRule };
    }

    if (values["with-tests"]) {
        const start = Date.now();
        progress.phase("npm test (wall time)");
        const test = spawnSync("npm", ["test"], { cwd: ROOT, encoding: "utf8" });
        const seconds = (Date.now() - start) / 1000;
        rows.push([
            "npm test (type-check + mocha)",
            `${seconds.toFixed(1)} s`,
            "",
            `${test.status === 0 ? "" : "tests failed; "}${seconds < 120 ? "PASS (<2 min)" : "FAIL (>=2 min)"}`,
        ]);
        results.tests = { seconds, status: test.status };
    }

    progress.done();
    const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length), 8));
    console.log(["what", "time median (min-max)", "peak RSS", "result"].map((h, i) => h.padEnd(widths[i])).join(" | "));
    for (const row of rows) {
        console.log(row.map((cell, i) => cell.padEnd(widths[i])).join(" | "));
    }
    fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
    fs.writeFileSync(path.join(__dirname, "results", "latest.json"), JSON.stringify(results, null, 2) + "\n");
    console.log("wrote bench/results/latest.json");
}

if (require.main === module) {
    main();
}
