/**
 * Plans of the shipped stacks, made once per test run and shared by every test file, and kept on disk until
 * something that decides them changes (as the foundation's outputs are kept, tools/offline/stack-cache.ts).
 *
 * Two kinds, as the tests use them:
 * - `shippedPlan(stack)`: the faithful plan (`runPlan`: Pulumi's loader, the CLI's config, a local engine, the
 *   pack under the real policy host), what `npm run plan -- --stack <stack>` computes;
 * - the in-process plan under the mock runtime (`plan()` of ./mocks.ts): that helper takes it from here whenever it
 *   is asked for a shipped stack as it is (no config change, no other program, no policy config, no hook).
 *
 * Each call hands back a fresh copy (a test may change what it gets). The key is a hash of every file that decides
 * a plan: the programs' sources and what they import (`OUTPUT_INPUTS`), the whole policy pack (it decides the
 * findings), the test helpers that plan, both projects' `Pulumi.yaml`, the root package.json (its `main` is the platform's
 * program) and the shipped stack files. Any other stack file (tests write temporary ones) does not count.
 * `CIPLATFORM_TEST_PLAN_CACHE=off` plans afresh.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlanFile } from "../../tools/offline/plan";
import { filesFingerprint, OUTPUT_INPUTS } from "../../tools/offline/stack-cache";

export const ROOT = path.join(__dirname, "..", "..");

/** The shipped stacks: the platform's three and the foundation's one. */
export const SHIPPED_STACKS = { dev: "platform", staging: "platform", prod: "platform", account: "foundation" } as const;
export type ShippedStack = keyof typeof SHIPPED_STACKS;

export function isShippedStack(stack: string): stack is ShippedStack {
    return Object.hasOwn(SHIPPED_STACKS, stack);
}

/** What decides a shipped stack's plan, relative to the repository root. */
export const PLAN_INPUTS: readonly string[] = [
    ...OUTPUT_INPUTS,
    "policypack",
    // The platform's policy config, which the test plans give the pack by default (as npm run plan does).
    "policy-config.json",
    "test/helpers/mocks.ts",
    "test/helpers/pack.ts",
    "test/helpers/shared-plans.ts",
    "Pulumi.yaml",
    // The platform's Pulumi.yaml names no `main`: Pulumi's Node.js host runs the package.json "main" (index.ts).
    "package.json",
    ...(Object.keys(SHIPPED_STACKS) as ShippedStack[]).filter((s) => SHIPPED_STACKS[s] === "platform").map((s) => `Pulumi.${s}.yaml`),
    "foundation/Pulumi.yaml",
    "foundation/Pulumi.account.yaml",
];

export const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "ciplatform-test-plans");

let fingerprint: string | undefined;

/** The hash of PLAN_INPUTS, computed once per process (tests only add temporary stack files, which do not count). */
export function planInputsFingerprint(): string {
    fingerprint ??= filesFingerprint(ROOT, PLAN_INPUTS);
    return fingerprint;
}

/**
 * Off on request, and always under mutation testing (`npm run test:mutation` serves the pack in-process): Stryker
 * switches mutants inside one process over the same instrumented files, so a kept plan would hide every mutant.
 */
const cacheOff = (): boolean =>
    process.env.CIPLATFORM_TEST_PLAN_CACHE === "off" || process.env.CIPLATFORM_TEST_POLICY_HOST === "in-process";
const inProcess = new Map<string, Promise<string>>();

/**
 * The plan `make` produces for `key`, as JSON text: from this process if made here already, else from the disk if
 * made under the same fingerprint, else made now and kept (written atomically: parallel workers may race).
 */
export function sharedJson(key: string, make: () => Promise<unknown>): Promise<string> {
    if (cacheOff()) {
        return make().then((plan) => JSON.stringify(plan));
    }
    let pending = inProcess.get(key);
    if (!pending) {
        pending = (async () => {
            const file = path.join(CACHE_DIR, `${key}.json`);
            const current = planInputsFingerprint();
            try {
                const kept = JSON.parse(fs.readFileSync(file, "utf8")) as { fingerprint?: string; plan?: unknown };
                if (kept.fingerprint === current && kept.plan !== undefined) {
                    return JSON.stringify(kept.plan);
                }
            } catch {
                // Not kept yet, or damaged: planned again.
            }
            const text = JSON.stringify(await make());
            fs.mkdirSync(CACHE_DIR, { recursive: true });
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, `{"fingerprint":${JSON.stringify(current)},"plan":${text}}`);
            fs.renameSync(tmp, file);
            return text;
        })();
        inProcess.set(key, pending);
        // A failed plan is not remembered: the next test asking plans again and sees the failure itself.
        pending.catch(() => inProcess.delete(key));
    }
    return pending;
}

/** A faithful plan of a shipped stack (`runPlan`), as `npm run plan -- --stack <stack>` computes it; a fresh copy each call. */
export async function shippedPlan(stack: ShippedStack): Promise<LoaderPlan> {
    const text = await sharedJson(`loader-${stack}`, async () => {
        const { runPlan } = await import("../../tools/offline/plan.js");
        return runPlan({ project: SHIPPED_STACKS[stack], stack });
    });
    return JSON.parse(text) as LoaderPlan;
}

export type LoaderPlan = PlanFile & Required<Pick<PlanFile, "outputs" | "config" | "secretConfigKeys" | "invokes" | "stackReferences">>;

/**
 * Plans every shipped stack both ways (the mocha global setup calls this: test/global-setup.ts): the faithful plans
 * two at a time (each runs its program in a child process), the mock plans meanwhile in this process, one at a time
 * (the mock runtime is process-wide).
 */
export async function planShippedStacks(): Promise<void> {
    const stacks = Object.keys(SHIPPED_STACKS) as ShippedStack[];
    const faithful = async (): Promise<void> => {
        // The foundation first: the platform plans read its outputs through their StackReference (kept once planned).
        await shippedPlan("account");
        const rest = stacks.filter((s) => s !== "account");
        await Promise.all(
            [0, 1].map(async (lane) => {
                for (const stack of rest.filter((_, i) => i % 2 === lane)) await shippedPlan(stack);
            }),
        );
    };
    const mocked = async (): Promise<void> => {
        const { plan } = await import("./mocks.js");
        for (const stack of stacks) await plan({ stack });
    };
    await Promise.all([faithful(), mocked()]);
}
