/**
 * Child process: evaluates one pack (ours, or Pulumi's awsguard) over a synthetic stack through the
 * pack's analyzer handlers, exactly as the plan does, and prints JSON timings. One pack per process,
 * since a process may construct only one PolicyPack.
 *   node --import tsx bench/pack-runner.ts <ours|awsguard> <count> <repeats>
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { analyzeResources, loadPolicyPack } from "../tools/offline/analyzer";
import { analyzerInputsFrom } from "../tools/offline/input";
import { syntheticStack } from "./stats";

async function main(): Promise<void> {
    const [which, countText, repeatsText] = process.argv.slice(2);
    const count = Number(countText);
    const repeats = Number(repeatsText ?? "3");
    const entry = which === "awsguard" ? path.join(__dirname, "peer", "awsguard-pack.js") : undefined;
    const { policyCount } = await loadPolicyPack(entry);
    const stack = syntheticStack(count);
    const samples: number[] = [];
    let findings = 0;
    for (let run = 0; run < repeats; run++) {
        // Fresh requests each run, as the engine sends them: nothing a pack caches per request
        // (such as our shared deserialization) carries over from the previous run.
        const inputs = analyzerInputsFrom(stack);
        const start = performance.now();
        findings = (await analyzeResources(inputs)).length;
        samples.push(performance.now() - start);
    }
    console.log(JSON.stringify({ which, count, samples, findings, policyCount }));
    process.exit(0);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
