import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "./config";
import { Platform } from "./platform";

/**
 * The Pulumi program: validates the stack's whole config first (a `ConfigError` lists every bad
 * key and nothing is registered), then composes the platform. Returns the stack outputs.
 */
export async function program(): Promise<Record<string, unknown>> {
    const config = loadPlatformConfig();
    const platform = new Platform(`${config.core.namePrefix}-${config.core.environment}`, { config });
    return {
        orgTags: pulumi.output(platform.orgTags),
    };
}
