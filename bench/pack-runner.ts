/**
 * Child process: starts packs (ours, Pulumi's awsguard, the one-empty-policy floor) side by side under
 * the real policy host, evaluates each over gRPC on the same synthetic stack exactly as a plan does
 * (per resource, one at a time, Remediate then Analyze; then AnalyzeStack: tools/offline/analyzer.ts
 * says where the engine does so), taking turns run by run so that a noisy neighbour
 * slows them alike, and prints JSON timings.
 *   node --import tsx bench/pack-runner.ts <count> <repeats> <ours|awsguard|empty>...
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { PolicyHost, POLICY_PACK_DIR } from "../tools/offline/analyzer";
import { analyzerInputsFrom } from "../tools/offline/input";
import { syntheticStack } from "./stats";

export const PACK_DIRS: Record<string, string> = {
    ours: POLICY_PACK_DIR,
    awsguard: path.join(__dirname, "peer"),
    empty: path.join(__dirname, "empty-pack"),
};

export interface PackSamples {
    /** Wall time of each evaluation, ms. */
    samples: number[];
    /** CPU time the pack process spent on each evaluation, ms (Linux /proc; empty elsewhere): steadier than wall time on a shared machine. */
    cpuSamples: number[];
    findings: number;
    policyCount: number;
}

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is not available. */
function cpuMs(pid: number | undefined): number | undefined {
    try {
        // Fields after the command name: state is field 3, utime 14, stime 15 (clock ticks, 100 per second on Linux).
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
        return undefined;
    }
}

async function main(): Promise<void> {
    const [countText, repeatsText, ...which] = process.argv.slice(2);
    const count = Number(countText);
    const repeats = Number(repeatsText ?? "3");
    for (const name of which) {
        if (PACK_DIRS[name] === undefined) {
            throw new Error(`unknown pack "${name}": use ${Object.keys(PACK_DIRS).join(", ")}`);
        }
    }
    const hosts: PolicyHost[] = [];
    const results: Record<string, PackSamples> = {};
    const stack = syntheticStack(count);
    try {
        for (const name of which) {
            hosts.push(await PolicyHost.start(PACK_DIRS[name]));
        }
        // One warm-up evaluation each (the pack's lazy loads), not counted.
        for (const host of hosts) {
            await host.analyze(analyzerInputsFrom(stack.slice(0, 200)));
        }
        for (let run = 0; run < repeats; run++) {
            for (const [i, name] of which.entries()) {
                // Fresh requests each run, as the engine sends them: nothing a pack caches per request carries over.
                const inputs = analyzerInputsFrom(stack);
                const cpuStart = cpuMs(hosts[i].pid);
                const start = performance.now();
                const findings = (await hosts[i].analyze(inputs)).length;
                const wall = performance.now() - start;
                const cpuEnd = cpuMs(hosts[i].pid);
                const entry = (results[name] ??= { samples: [], cpuSamples: [], findings, policyCount: hosts[i].info.policies.size });
                entry.samples.push(wall);
                if (cpuStart !== undefined && cpuEnd !== undefined) {
                    entry.cpuSamples.push(cpuEnd - cpuStart);
                }
            }
        }
    } finally {
        hosts.forEach((h) => h.stop());
    }
    console.log(JSON.stringify({ count, packs: results }));
    process.exit(0);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
