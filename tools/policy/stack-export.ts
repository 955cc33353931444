/**
 * A deployed stack as the policy pack's input: the checkpoint `pulumi stack export` prints
 * (`{ version: 3, deployment: { manifest, secrets_providers, resources: [...] } }`; each resource
 * has `urn`, `type`, `custom`, `id`, `inputs`, `outputs`, `parent`, `provider` (`<provider urn>::<id>`),
 * `protect`, `dependencies`, `propertyDependencies`, and `delete: true` while a replacement is
 * pending). Sources: pulumi/pulumi sdk/go/common/apitype/core.go (`UntypedDeployment`,
 * `DeploymentV3`, `ResourceV3`) and sdk/go/common/resource/config/crypter.go / `resource.SecretSig`
 * (secrets in state are `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
 * "ciphertext" | "plaintext": ... }`).
 *
 * Each resource is judged on what is deployed: its outputs (the provider's last read of the real
 * resource), with inputs filling what the provider does not echo back. Secret values never reach
 * the pack: they become "[secret]", as in plan files. The stack resource and resources pending
 * deletion are left out; a resource's provider is passed with its own properties (e.g. `defaultTags`).
 */
import type { AnalyzerInput } from "../offline/analyzer";
import { PolicyInputError } from "../offline/input";

/** The signature key Pulumi marks secret values with in state and on the wire. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** One resource of a checkpoint, as much of it as the audit reads. */
export interface CheckpointResource {
    readonly urn: string;
    readonly type: string;
    readonly custom?: boolean;
    readonly id?: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
    readonly parent?: string;
    readonly provider?: string;
    readonly protect?: boolean;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    readonly delete?: boolean;
    /** When the resource was first added to state (RFC 3339; checkpoints before early 2023 lack it). */
    readonly created?: string;
}

/** What `pulumi stack export` prints. */
export interface StackExport {
    readonly version: number;
    readonly deployment: { readonly resources?: readonly CheckpointResource[] } & Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Replaces secret values (encrypted or shown) with "[secret]", everywhere in a value. */
export function redactSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redactSecrets);
    if (!isObject(value)) return value;
    if (value[SECRET_SIG_KEY] === SECRET_SIG) return "[secret]";
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
}

/** The logical name of a resource: the last `::` segment of its URN. */
export function nameOfUrn(urn: string): string {
    const at = urn.lastIndexOf("::");
    return at < 0 ? urn : urn.slice(at + 2);
}

/** Whether a document is a `pulumi stack export` checkpoint. */
export function isStackExport(document: unknown): document is StackExport {
    return isObject(document) && typeof document.version === "number" && isObject(document.deployment);
}

/**
 * The analyzer inputs of every live resource of an exported stack. Errors name the resource and
 * the field that is wrong, so a hand-edited export can be fixed.
 */
export function stackExportInputs(document: unknown): AnalyzerInput[] {
    if (!isStackExport(document)) {
        throw new PolicyInputError('expected the output of `pulumi stack export`: { "version": 3, "deployment": { "resources": [...] } }');
    }
    if (document.version !== 3) {
        throw new PolicyInputError(
            `checkpoint version ${document.version} is not supported: export it with a current Pulumi CLI (version 3)`,
        );
    }
    const resources = document.deployment.resources ?? [];
    if (!Array.isArray(resources)) throw new PolicyInputError('"deployment.resources" must be an array');
    resources.forEach((r, index) => {
        if (!isObject(r) || typeof r.urn !== "string" || typeof r.type !== "string") {
            throw new PolicyInputError(
                `deployment.resources[${index}]: needs string "urn" and "type" (got ${JSON.stringify(r)?.slice(0, 120)})`,
            );
        }
        for (const field of ["inputs", "outputs"] as const) {
            if (r[field] !== undefined && !isObject(r[field])) {
                throw new PolicyInputError(`deployment.resources[${index}] (${r.urn}): "${field}" must be an object`);
            }
        }
    });
    const live = resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && r.delete !== true);
    const byUrn = new Map(live.map((r) => [r.urn, r]));
    const propertiesOf = (r: CheckpointResource): Record<string, unknown> =>
        redactSecrets({ ...(r.inputs ?? {}), ...(r.outputs ?? {}) }) as Record<string, unknown>;
    return live.map((r) => {
        const providerUrn = r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : undefined;
        const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
        return {
            urn: r.urn,
            type: r.type,
            name: nameOfUrn(r.urn),
            properties: propertiesOf(r),
            parent: r.parent ?? null,
            protect: r.protect ?? false,
            dependsOn: r.dependencies ?? [],
            ...(r.propertyDependencies ? { propertyDependencies: r.propertyDependencies } : {}),
            ...(provider
                ? {
                      provider: {
                          urn: provider.urn,
                          type: provider.type,
                          name: nameOfUrn(provider.urn),
                          properties: propertiesOf(provider),
                      },
                  }
                : {}),
        };
    });
}

/** The stack and project a checkpoint belongs to, from its resources' URNs (`urn:pulumi:<stack>::<project>::...`). */
export function stackOfExport(inputs: readonly AnalyzerInput[]): { stack?: string; project?: string } {
    const m = inputs.map((i) => /^urn:pulumi:([^:]+)::([^:]+)::/.exec(i.urn)).find((x) => x !== null);
    return m ? { stack: m[1], project: m[2] } : {};
}

/** Stable times of an exported stack, for findings that must not look new on every audit. */
export interface StackExportTimes {
    /** Each resource's `created` (when Pulumi first added it to state), as ISO 8601 UTC, by URN. */
    readonly created: ReadonlyMap<string, string>;
    /**
     * For a finding whose resource has no `created`: the stack resource's `created`, else the earliest of any resource,
     * else the checkpoint's `manifest.time` (the last update: stable between deployments only); undefined when none is there.
     */
    readonly stack?: string;
}

/**
 * The creation times of a checkpoint (pulumi/pulumi sdk/go/common/apitype/core.go `ResourceV3.Created`:
 * "when the remote resource was first added to state by pulumi"), normalised to ISO 8601 UTC. A time that is
 * present but not a date is an error naming the resource, as a hand-edited export would have it.
 */
export function stackExportTimes(document: unknown): StackExportTimes {
    if (!isStackExport(document)) return { created: new Map() };
    const iso = (value: unknown, where: string): string | undefined => {
        if (value === undefined) return undefined;
        const rfc3339 = typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value);
        const time = rfc3339 ? new Date(value) : undefined;
        if (!time || Number.isNaN(time.getTime())) {
            throw new PolicyInputError(`${where}: expected an RFC 3339 time (got ${JSON.stringify(value)})`);
        }
        return time.toISOString();
    };
    const resources = Array.isArray(document.deployment.resources) ? document.deployment.resources : [];
    const created = new Map<string, string>();
    let stack: string | undefined;
    resources.forEach((r, index) => {
        const time = iso(r.created, `deployment.resources[${index}] (${r.urn}): "created"`);
        // A resource pending deletion shares its URN with its replacement, whose time is the one findings are about.
        if (time === undefined || r.delete === true) return;
        created.set(r.urn, time);
        if (r.type === "pulumi:pulumi:Stack") stack = time;
    });
    const earliest = [...created.values()].sort()[0];
    const manifest = isObject(document.deployment.manifest)
        ? iso(document.deployment.manifest.time, 'deployment.manifest: "time"')
        : undefined;
    return { created, stack: stack ?? earliest ?? manifest };
}
