/**
 * Child process: starts packs (ours, Pulumi's awsguard, the one-empty-policy floor) side by side under
 * the real policy host, evaluates each over gRPC on the same synthetic stack exactly as a plan does
 * (one Analyze per resource, then AnalyzeStack), taking turns run by run so that a noisy neighbour
 * slows them alike, and prints JSON timings.
 *   node --import tsx bench/pack-runner.ts <count> <repeats> <ours|awsguard|empty>...
 */
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
    samples: number[];
    findings: number;
    policyCount: number;
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
                const start = performance.now();
                const findings = (await hosts[i].analyze(inputs)).length;
                const entry = (results[name] ??= { samples: [], findings, policyCount: hosts[i].info.policies.size });
                entry.samples.push(performance.now() - start);
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
