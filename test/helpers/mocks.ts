/**
 * The one shared mocks helper for component tests: runs a program in this process under Pulumi's
 * mock runtime (fast), with the config the CLI would build (stack file + `Pulumi.yaml` defaults),
 * the platform's deterministic outputs, and the pack evaluated by the real policy host. Whole stacks
 * are also planned the faithful way (Pulumi's loader and a local engine) in test/tools/plan.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ConfigError } from "../../stacks/config";
import { program as platformProgram } from "../../stacks/program";
import { foundationProgram } from "../../stacks/foundation";
import { loadKubernetesModels } from "../../components/shared/k8s-models";
import { PlatformMocks } from "../../tools/offline/mocks";
import "../../tools/offline/outputs";
import { cliConfigFor, PlanFile, PlannedResource, summarize, withoutResourceReferences } from "../../tools/offline/plan";
import { platformPolicyConfig, PolicyPackConfig } from "../../tools/offline/analyzer";
import { testPolicyHost } from "./pack";
import type { StackConfig } from "../../tools/offline/cli-config";
import { resolveOutputValues } from "../../tools/offline/engine";
import { toPlainJson } from "../../tools/offline/wire";
import { isShippedStack, sharedJson } from "./shared-plans";

export { ConfigError, PlanFile, PlannedResource };

/** A registration as the mock runtime's monitor received it: a planned resource with its wire-form inputs. */
export type RecordedResource = Omit<PlannedResource, "inputs"> & { readonly properties: Record<string, unknown> };

export interface TestPlanOptions {
    /** Stack whose `Pulumi.<stack>.yaml` is the base config. @default "dev" */
    readonly stack?: string;
    /** `platform` or `foundation`. @default "platform" (or "foundation" for stack "account") */
    readonly project?: "platform" | "foundation";
    /** Stack-file keys to set (values as in YAML) or remove (`undefined`). */
    readonly configChanges?: Readonly<Record<string, unknown>>;
    /** Program to run instead of the project's. */
    readonly program?: () => Promise<unknown>;
    readonly policyConfig?: PolicyPackConfig;
    readonly onRegistrations?: (resources: readonly RecordedResource[]) => void;
}

/** A stack's config as the CLI builds it, with some stack-file keys changed first. */
export function configWith(
    stack: string,
    changes: Readonly<Record<string, unknown>> = {},
    project?: "platform" | "foundation",
): StackConfig {
    return cliConfigFor({ stack, project: project ?? (stack === "account" ? "foundation" : "platform"), configChanges: changes }).config;
}

interface MonitorLike {
    registerResource(req: RegisterRequestLike, callback: (err: Error | null, resp?: { getUrn(): string }) => void): unknown;
}

interface RegisterRequestLike {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getProvider(): string;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDependenciesList(): string[];
    getObject(): Struct | undefined;
}

/** Installs the mocks and records each registration in order; `done()` drains them. */
async function record(region: string, project: string, stack: string): Promise<{ done(): Promise<RecordedResource[]> }> {
    await pulumi.runtime.setMocks(new PlatformMocks(region), project, stack, false);
    const monitor = settings.getMonitor() as unknown as MonitorLike;
    const register = monitor.registerResource.bind(monitor);
    const recorded: RecordedResource[] = [];
    monitor.registerResource = (req, callback) =>
        register(req, (err, resp) => {
            if (!err && resp) {
                recorded.push({
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent() || null,
                    provider: req.getProvider() || null,
                    protect: req.getProtect() ?? false,
                    retainOnDelete: req.getRetainondelete() ?? false,
                    dependsOn: req.getDependenciesList(),
                    properties: resolveOutputValues(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                });
            }
            callback(err, resp);
        });
    return {
        async done() {
            await settings.disconnect();
            return recorded;
        },
    };
}

/**
 * Plans under the mock runtime and evaluates the pack. A shipped stack asked for as it is (no config change, no
 * other program, no policy config, no registration hook) is planned once per run and kept until its sources change
 * (./shared-plans.ts); each call still gets its own copy.
 */
export async function plan(options: TestPlanOptions = {}): Promise<PlanFile> {
    const stack = options.stack ?? "dev";
    const projectName = options.project ?? (stack === "account" ? "foundation" : "platform");
    const asShipped =
        isShippedStack(stack) &&
        projectName === (stack === "account" ? "foundation" : "platform") &&
        options.configChanges === undefined &&
        options.program === undefined &&
        options.policyConfig === undefined &&
        options.onRegistrations === undefined;
    if (asShipped) {
        return JSON.parse(await sharedJson(`mock-${stack}`, () => planNow({ stack, project: projectName }))) as PlanFile;
    }
    return planNow(options);
}

async function planNow(options: TestPlanOptions): Promise<PlanFile> {
    const stack = options.stack ?? "dev";
    const projectName = options.project ?? (stack === "account" ? "foundation" : "platform");
    const { project, config } = cliConfigFor({ stack, project: projectName, configChanges: options.configChanges });
    pulumi.runtime.setAllConfig(config.values, config.secretKeys);
    const recording = await record(config.values["aws:region"] ?? "us-east-1", project.name, stack);
    await loadKubernetesModels();
    const program = options.program ?? (projectName === "foundation" ? foundationProgram : platformProgram);
    let recorded: RecordedResource[] = [];
    try {
        await program();
    } finally {
        recorded = await recording.done();
        options.onRegistrations?.(recorded);
    }
    const resources: PlannedResource[] = recorded.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        provider: r.provider ? r.provider.split("::").slice(0, -1).join("::") : null,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        dependsOn: r.dependsOn,
        inputs: toPlainJson(r.properties) as Record<string, unknown>,
    }));
    const byUrn = new Map(recorded.map((r) => [r.urn, r]));
    const environment = config.values[`${project.name}:environment`];
    const host = await testPolicyHost();
    const violations = await host.analyze(
        recorded.map((r) => {
            const provider = r.provider ? byUrn.get(r.provider.split("::").slice(0, -1).join("::")) : undefined;
            return {
                urn: r.urn,
                type: r.type,
                name: r.name,
                properties: withoutResourceReferences(r.properties) as Record<string, unknown>,
                parent: r.parent,
                protect: r.protect,
                dependsOn: r.dependsOn,
                provider: provider && { urn: provider.urn, type: provider.type, name: provider.name, properties: provider.properties },
            };
        }),
        // As `npm run plan` does: the platform's policy config unless the test gives one.
        options.policyConfig ?? platformPolicyConfig(),
        { project: project.name, stack, tags: environment ? { environment } : {} },
    );
    return {
        version: 1,
        project: project.name,
        stack,
        resources,
        policy: { pack: host.info.name, violations },
        summary: summarize(resources, violations),
    };
}

export function ofType(planned: PlanFile, type: string): PlannedResource[] {
    return planned.resources.filter((r) => r.type === type);
}

export function single(planned: PlanFile, type: string, nameIncludes = ""): PlannedResource {
    const matches = ofType(planned, type).filter((r) => r.name.includes(nameIncludes));
    if (matches.length !== 1) {
        throw new Error(
            `expected one ${type} named like "${nameIncludes}", found ${matches.length}: ${matches.map((m) => m.name).join(", ")}`,
        );
    }
    return matches[0];
}

/** Plans with changed config and returns the config problems as `key: message` (fails if the config is accepted). */
export async function configIssues(changes: Readonly<Record<string, unknown>>, stack = "dev"): Promise<string[]> {
    try {
        await plan({ stack, configChanges: changes });
    } catch (err) {
        if (err instanceof ConfigError) {
            return err.issues.map((i) => `${i.key}: ${i.message}`);
        }
        throw err;
    }
    throw new Error(`config ${JSON.stringify(changes)} was accepted`);
}
