/**
 * Child process: starts one pack (ours, Pulumi's awsguard, or the one-empty-policy floor) under the real
 * policy host, evaluates it over gRPC on a synthetic stack exactly as a plan does, and prints JSON timings.
 *   node --import tsx bench/pack-runner.ts <ours|awsguard|empty> <count> <repeats>
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { PolicyHost, POLICY_PACK_DIR } from "../tools/offline/analyzer";
import { analyzerInputsFrom } from "../tools/offline/input";
import { syntheticStack } from "./stats";

async function main(): Promise<void> {
    const [which, countText, repeatsText] = process.argv.slice(2);
    const count = Number(countText);
    const repeats = Number(repeatsText ?? "3");
    const dirs: Record<string, string> = {
        ours: POLICY_PACK_DIR,
        awsguard: path.join(__dirname, "peer"),
        empty: path.join(__dirname, "empty-pack"),
    };
    const dir = dirs[which];
    if (dir === undefined) {
        throw new Error(`unknown pack "${which}": use ${Object.keys(dirs).join(", ")}`);
    }
    const host = await PolicyHost.start(dir);
    const stack = syntheticStack(count);
    const samples: number[] = [];
    let findings = 0;
    try {
        for (let run = 0; run < repeats; run++) {
            // Fresh requests each run, as the engine sends them: nothing a pack caches per request carries over.
            const inputs = analyzerInputsFrom(stack);
            const start = performance.now();
            findings = (await host.analyze(inputs)).length;
            samples.push(performance.now() - start);
        }
    } finally {
        host.stop();
    }
    console.log(JSON.stringify({ which, count, samples, findings, policyCount: host.info.policies.size }));
    process.exit(0);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
