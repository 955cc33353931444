/**
 * The policy host the tests evaluate the pack with. By default the real one: the pack started by
 * `@pulumi/pulumi/cmd/run-policy-pack` in its own process, as the CLI starts it. Mutation testing
 * (`npm run test:mutation`) sets `CIPLATFORM_TEST_POLICY_HOST=in-process`: the pack is then served from
 * this process (the same `new PolicyPack()`, the same @pulumi/policy gRPC server on loopback, the same
 * client), so Stryker sees which test reaches which mutant and switches mutants in the code under test.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import {
    AnalyzerInput,
    POLICY_PACK_DIR,
    PolicyHost,
    PolicyPackConfig,
    sharedPolicyHost,
    StackInfo,
    Violation,
} from "../../tools/offline/analyzer";

export const IN_PROCESS = process.env.CIPLATFORM_TEST_POLICY_HOST === "in-process";

// @pulumi/policy serves one pack per process: the address is kept on the global object so that a test
// runner that reloads this module (Stryker's mocha runner does, between runs) connects to the same pack.
const SERVED = Symbol.for("ciplatform.test.inProcessPack");
type Served = { [SERVED]?: Promise<PolicyHost> };

function servePackHere(): Promise<PolicyHost> {
    const global = globalThis as Served;
    global[SERVED] ??= new Promise<string>((resolve, reject) => {
        // serve() prints the port it bound, as the policy host reads it from the pack's stdout.
        const log = console.log;
        console.log = (...args: unknown[]) => {
            const line = args.map(String).join(" ").trim();
            if (/^\d+$/.test(line)) {
                console.log = log;
                resolve(`127.0.0.1:${line}`);
            } else {
                log(...args);
            }
        };
        const cwd = process.cwd();
        try {
            process.chdir(POLICY_PACK_DIR); // PolicyPack reads its version from ./package.json.
            // Loaded synchronously, while the working directory is the pack's.
            createRequire(__filename)(path.join(POLICY_PACK_DIR, "index.ts"));
        } catch (error) {
            console.log = log;
            reject(error instanceof Error ? error : new Error(String(error)));
        } finally {
            process.chdir(cwd);
        }
    }).then((address) => PolicyHost.connect(address));
    return global[SERVED];
}

/** The host the tests use: the real policy host, or the pack served in this process under mutation testing. */
export function testPolicyHost(): Promise<PolicyHost> {
    return IN_PROCESS ? servePackHere() : sharedPolicyHost();
}

/** Evaluates the pack over resources with the tests' policy host. */
export async function analyzeResources(
    inputs: readonly AnalyzerInput[],
    config: PolicyPackConfig = {},
    stack: StackInfo = {},
): Promise<Violation[]> {
    return (await testPolicyHost()).analyze(inputs, config, stack);
}
