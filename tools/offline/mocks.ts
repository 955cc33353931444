import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** Account id of every fake ARN: the documentation account, never a real one. */
export const MOCK_ACCOUNT_ID = "123456789012";

/** What a fake-output handler knows about the resource it completes. */
export interface MockContext {
    readonly region: string;
    readonly accountId: string;
    /** Deterministic physical name: the logical name plus a stable suffix, as Pulumi auto-naming would. */
    readonly physicalName: string;
    /** Deterministic hex digest of the resource's identity, for fake ids. */
    readonly digest: string;
}

/** Computes the outputs a real provider would add to a resource's inputs. */
export type OutputHandler = (args: pulumi.runtime.MockResourceArgs, ctx: MockContext) => Record<string, unknown>;

/** Answers a provider function (invoke) as the real provider would. */
export type CallHandler = (args: pulumi.runtime.MockCallArgs, ctx: Omit<MockContext, "physicalName" | "digest">) => Record<string, unknown>;

const outputHandlers = new Map<string, OutputHandler>();
const callHandlers = new Map<string, CallHandler>();

/** Registers realistic outputs for one resource type (areas add theirs in `tools/offline/outputs/`). */
export function registerOutputs(type: string, handler: OutputHandler): void {
    outputHandlers.set(type, handler);
}

/** Registers the answer of one provider function token. */
export function registerCall(token: string, handler: CallHandler): void {
    callHandlers.set(token, handler);
}

function digestOf(...parts: string[]): string {
    return crypto.createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** `aws:<module>/<resource>:<Type>` → the service name used in ARNs. */
function serviceOf(type: string): string {
    const module = type.split(":")[1]?.split("/")[0] ?? "unknown";
    const services: Record<string, string> = {
        cloudwatch: "logs",
        eks: "eks",
        acmpca: "acm-pca",
        secretsmanager: "secretsmanager",
        cloudwatchevents: "events",
    };
    return services[module] ?? module;
}

function resourceKindOf(type: string): string {
    const kind = type.split(":")[2] ?? "resource";
    return kind.charAt(0).toLowerCase() + kind.slice(1);
}

/**
 * Mocks for the offline plan and the tests: deterministic ids and names, ARNs in the configured
 * region and the fixed account, and type-specific outputs from the registered handlers.
 */
export class PlatformMocks implements pulumi.runtime.Mocks {
    constructor(
        readonly region: string,
        readonly accountId: string = MOCK_ACCOUNT_ID,
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const digest = digestOf(args.type, args.name);
        const physicalName = `${args.name}-${digest.slice(0, 7)}`;
        const ctx: MockContext = { region: this.region, accountId: this.accountId, physicalName, digest };
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type.startsWith("aws:")) {
            state.name ??= physicalName;
            state.arn ??= `arn:aws:${serviceOf(args.type)}:${this.region}:${this.accountId}:${resourceKindOf(args.type)}/${String(state.name)}`;
            if (args.inputs.tags && typeof args.inputs.tags === "object") {
                state.tagsAll = args.inputs.tags;
            }
        }
        const handler = outputHandlers.get(args.type);
        Object.assign(state, handler ? handler(args, ctx) : {});
        const id = typeof state.id === "string" ? state.id : `${args.name}-${digest.slice(0, 12)}`;
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const handler = callHandlers.get(args.token);
        if (!handler) {
            throw new Error(`offline plan: no mock answer for provider function ${args.token}; add one in tools/offline/outputs/`);
        }
        return handler(args, { region: this.region, accountId: this.accountId });
    }
}
