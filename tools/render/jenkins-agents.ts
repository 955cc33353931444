/** Jenkins agent pods the kubernetes plugin creates from the chart's JCasC pod templates. */
import * as YAML from "yaml";
import type { PodSpecLike, SecurityContextLike } from "./pss";
import { isTree, ValueTree } from "./values";

/** What the kubernetes plugin's RestrictedPssSecurityContextInjector adds to every container, where unset. */
function injectRestricted(sc: SecurityContextLike | undefined): SecurityContextLike {
    return {
        ...sc,
        allowPrivilegeEscalation: sc?.allowPrivilegeEscalation ?? false,
        runAsNonRoot: sc?.runAsNonRoot ?? true,
        seccompProfile: sc?.seccompProfile ?? { type: "RuntimeDefault" },
        capabilities: { ...sc?.capabilities, drop: sc?.capabilities?.drop ?? ["ALL"] },
    };
}

/** Agent pods of the Jenkins chart's JCasC kubernetes cloud (values `agent.podTemplates`). */
export function jenkinsAgentPods(values: ValueTree): Array<{ name: string; spec: PodSpecLike; annotations: Record<string, string> }> {
    const agent = isTree(values.agent) ? values.agent : {};
    if (agent.enabled === false) return [];
    const restricted = agent.restrictedPssSecurityContext === true;
    const templates = isTree(agent.podTemplates) ? Object.values(agent.podTemplates) : [];
    return templates.flatMap((text) => {
        const list = typeof text === "string" ? (YAML.parse(text) as Array<Record<string, unknown>> | null) : null;
        return (list ?? []).map((t) => {
            const pod =
                typeof t.yaml === "string"
                    ? ((YAML.parse(t.yaml) as { metadata?: { annotations?: Record<string, string> }; spec?: PodSpecLike } | null) ?? {})
                    : {};
            const spec = pod.spec ?? {};
            const named = new Map<string, { name: string; securityContext?: SecurityContextLike }>();
            for (const c of [
                { name: "jnlp" },
                ...(spec.containers ?? []),
                ...((t.containers as Array<{ name: string }> | undefined) ?? []),
            ])
                named.set(c.name, { ...named.get(c.name), ...c });
            const containers = [...named.values()].map((c) =>
                restricted ? { ...c, securityContext: injectRestricted(c.securityContext) } : c,
            );
            const initContainers = (spec.initContainers ?? []).map((c) =>
                restricted ? { ...c, securityContext: injectRestricted(c.securityContext) } : c,
            );
            return {
                name: `agent ${String(t.name)}`,
                spec: { ...spec, containers, initContainers },
                annotations: pod.metadata?.annotations ?? {},
            };
        });
    });
}
