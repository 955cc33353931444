/**
 * `npm run render -- [--stack <name> | --plan <file>] [--charts <dir>]... [--helm <path>] [--kube-version <x.y>] [--json <file>]`
 * (the Kubernetes version defaults to the plan's EKS cluster's, i.e. the stack's `cluster:kubernetesVersion`)
 * Renders every Helm release of a plan with its real chart and checks what a fresh cluster would
 * enforce: the chart exists at its pin, every value key the project sets exists in the chart, every
 * pod (chart-rendered, project-defined, GitLab job pods from `config.toml`, Jenkins agents) passes
 * the Pod Security level its namespace enforces, and every custom resource's CRD is installed by
 * something it depends on. Charts: `helm pull` from the pinned repository, or with `--charts` from
 * local unpacked charts (the nearest stored version when the pin is not stored, said in the output);
 * with `--charts`, the scheduling check's per-chart placement models (tools/rehearse/scheduling/charts.ts)
 * are also compared with what each chart renders.
 * Exit codes: 0 clean, 1 a finding, 2 bad usage, a failing plan or no helm.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliSpec, parseCli, renderHelp, usageLine } from "./cli/args";
import { chartValueFacts, indexCharts, nearestChart, pullChart, renderChart, runHelm } from "./render/charts";
import { checkPlan, ChartSource, clusterKubeVersion, formatReport, PlanLike } from "./render/check";
import { runPlan } from "./offline/plan";

export const RENDER_CLI: CliSpec = {
    command: "npm run render --",
    summary: "Render every Helm release of a plan with its real chart and check value keys, Pod Security and CRD coverage.",
    options: {
        stack: { type: "string", arg: "<name>", description: "plan this stack first (as npm run plan)", default: "dev" },
        plan: { type: "string", arg: "<file>", description: "use an existing plan file instead of planning" },
        charts: { type: "string", arg: "<dir>", description: "unpacked charts to render from (found by Chart.yaml)", multiple: true },
        helm: { type: "string", arg: "<path>", description: "the helm binary", default: "helm" },
        "kube-version": {
            type: "string",
            arg: "<x.y>",
            description: "Kubernetes version to render for",
            defaultText: "the version of the plan's EKS cluster (the stack's cluster:kubernetesVersion)",
        },
        json: { type: "string", arg: "<file>", description: "write the findings as JSON" },
    },
    examples: [
        "npm run render -- --stack dev --helm ../shared/tools/helm                 # plan the stack, pull the charts",
        "npm run render -- --plan prod.plan.json --json render.json                # an existing plan file, helm on PATH",
        "npm run render -- --plan dev.plan.json --charts ../shared/upstream/charts  # charts from unpacked copies",
        "npm run render -- --stack prod --kube-version 1.34                        # the next version, before an upgrade",
    ],
    exitCodes: ["0  clean", "1  a finding", "2  usage, no helm, or a failing plan"],
};

async function loadPlan(stack: string, planFile: string | undefined): Promise<PlanLike> {
    if (planFile) return JSON.parse(fs.readFileSync(planFile, "utf8")) as PlanLike;
    const plan = await runPlan({ stack });
    return { stack: plan.stack, resources: plan.resources };
}

async function main(): Promise<number> {
    let values: { stack?: string; plan?: string; charts?: string[]; helm?: string; "kube-version"?: string; json?: string; help?: boolean };
    try {
        ({ values } = parseCli<typeof values>(RENDER_CLI, process.argv.slice(2)));
    } catch (err) {
        console.error(`${(err as Error).message}\n${usageLine(RENDER_CLI)}\n(npm run render -- --help for every option)`);
        return 2;
    }
    if (values.help) {
        console.log(renderHelp(RENDER_CLI));
        return 0;
    }
    const helm = values.helm ?? "helm";
    const version = runHelm(helm, ["version", "--short"]);
    if (!version.ok) {
        console.error(`helm not runnable (${helm}): ${version.stderr.trim()}; install helm or pass --helm <path>`);
        return 2;
    }
    let plan: PlanLike;
    try {
        plan = await loadPlan(values.stack ?? "dev", values.plan);
    } catch (err) {
        console.error(`could not plan: ${(err as Error).message}`);
        return 2;
    }

    const given = values["kube-version"];
    if (given !== undefined && !/^v?1\.\d{1,2}(\.\d{1,2})?$/.test(given)) {
        console.error(`--kube-version ${given}: must be a Kubernetes version such as 1.33 (or v1.33.2)`);
        return 2;
    }
    let kubeVersion: string;
    try {
        kubeVersion = given ?? clusterKubeVersion(plan);
    } catch (err) {
        console.error(`${(err as Error).message}: pass --kube-version <x.y>`);
        return 2;
    }
    const pullDir = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-charts-"));
    const stored = values.charts ? indexCharts(values.charts.map((d) => path.resolve(d))) : undefined;
    const source: ChartSource = (ref, releaseName) => {
        let dir: string;
        let renderedVersion = ref.version;
        if (stored) {
            const hit = nearestChart(stored, ref);
            if (!hit)
                return {
                    found: false,
                    unverified: true,
                    error: `chart ${ref.name} is not in ${values.charts?.join(", ")}: not rendered (run without --charts to pull ${ref.chart}@${ref.version})`,
                };
            dir = hit.chart.dir;
            renderedVersion = hit.chart.version;
        } else {
            const pulled = pullChart(helm, ref, fs.mkdtempSync(path.join(pullDir, "c-")));
            if (!pulled.dir)
                return {
                    found: false,
                    error: `chart ${ref.chart}@${ref.version}${ref.repository && !ref.chart.startsWith("oci://") ? ` from ${ref.repository}` : ""} does not exist or cannot be pulled: ${pulled.error}`,
                };
            dir = pulled.dir;
        }
        return {
            found: true,
            version: renderedVersion,
            facts: chartValueFacts(dir),
            render: (vals, namespace, includeCrds) =>
                renderChart({ helm, releaseName, chartDir: dir, namespace, values: vals, kubeVersion, includeCrds }),
        };
    };
    try {
        // With local charts, the scheduling check's placement models are compared with what the charts render.
        const report = checkPlan(plan, source, { placementModels: stored !== undefined });
        console.log(
            `helm ${version.stdout.trim()}, Kubernetes ${kubeVersion}, charts ${stored ? `from ${values.charts?.join(", ")}` : "pulled from their pinned repositories"}\n`,
        );
        console.log(formatReport(report));
        if (values.json) fs.writeFileSync(values.json, JSON.stringify(report, null, 2));
        return report.failed ? 1 : 0;
    } finally {
        fs.rmSync(pullDir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(err);
            process.exit(2);
        },
    );
}
