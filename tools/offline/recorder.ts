import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** A resource registration exactly as the program sent it to the (mock) resource monitor. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly remote: boolean;
    readonly parent: string | null;
    /** Provider reference `<provider urn>::<provider id>`, as the engine receives it. */
    readonly provider: string | null;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly dependsOn: readonly string[];
    /** Serialized inputs (secrets, unknowns and resource references in Pulumi's wire form). */
    readonly properties: Struct;
}

interface RegisterResourceRequestLike {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getRemote(): boolean;
    getParent(): string;
    getProvider(): string;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDependenciesList(): string[];
    getObject(): Struct | undefined;
}

type Callback = (err: Error | null, resp?: { getUrn(): string }) => void;

interface MonitorLike {
    registerResource(req: RegisterResourceRequestLike, callback: Callback): unknown;
}

/**
 * Installs mocks and records every registration the program makes. Call before the program runs;
 * `done()` waits until every registration has been answered and returns them in order.
 */
export async function recordRegistrations(
    mocks: pulumi.runtime.Mocks,
    project: string,
    stack: string,
): Promise<{ done(): Promise<RecordedResource[]> }> {
    await pulumi.runtime.setMocks(mocks, project, stack, false);
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
                    remote: req.getRemote(),
                    parent: req.getParent() || null,
                    provider: req.getProvider() || null,
                    protect: req.getProtect(),
                    retainOnDelete: req.getRetainondelete(),
                    dependsOn: req.getDependenciesList(),
                    properties: req.getObject() as Struct,
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
