/**
 * Getting a chart and rendering it: `helm pull` from its pinned repository, or a local directory of
 * unpacked charts (`--charts DIR`, found by the name and version in each `Chart.yaml`; when the pin is
 * not stored, the nearest stored version, reported as such), then `helm template`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { ChartValueFacts, JsonSchema, templateValuePaths, ValueTree, isTree } from "./values";

/** Where a release says its chart comes from. */
export interface ChartRef {
    /** Chart name (the last path segment of an OCI reference). */
    readonly name: string;
    readonly version: string;
    /** HTTPS repository or `oci://` path without the chart name. */
    readonly repository?: string;
    /** The `chart` input as the release gives it. */
    readonly chart: string;
}

export function chartRefOf(inputs: Record<string, unknown>): ChartRef {
    const chart = String(inputs.chart ?? "");
    const version = String(inputs.version ?? "");
    const repo = isTree(inputs.repositoryOpts) ? (inputs.repositoryOpts.repo as string | undefined) : undefined;
    if (chart.startsWith("oci://")) {
        const at = chart.lastIndexOf("/");
        return { name: chart.slice(at + 1), version, repository: chart.slice(0, at), chart };
    }
    return { name: chart, version, repository: repo, chart };
}

/** Numeric comparison of versions such as `v1.9.1` or `2.6.0` (pre-release suffixes ignored). */
export function compareVersions(a: string, b: string): number {
    const parts = (v: string): number[] =>
        v
            .replace(/^v/, "")
            .split(/[.+-]/)
            .slice(0, 3)
            .map((p) => Number.parseInt(p, 10) || 0);
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
}

export interface StoredChart {
    readonly name: string;
    readonly version: string;
    readonly dir: string;
}

/** Every unpacked chart below `roots` (a `Chart.yaml` up to three levels down). */
export function indexCharts(roots: readonly string[]): StoredChart[] {
    const found: StoredChart[] = [];
    const visit = (dir: string, depth: number): void => {
        const file = path.join(dir, "Chart.yaml");
        if (fs.existsSync(file)) {
            const meta = YAML.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
            if (meta.name && meta.version) found.push({ name: meta.name, version: String(meta.version), dir });
            return;
        }
        if (depth >= 3) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (entry.isDirectory() && !entry.name.startsWith(".")) visit(path.join(dir, entry.name), depth + 1);
        }
    };
    for (const root of roots) visit(root, 0);
    return found;
}

/** The stored chart for a pin: the exact version, else the nearest (highest below, then lowest above). */
export function nearestChart(stored: readonly StoredChart[], ref: ChartRef): { chart: StoredChart; exact: boolean } | undefined {
    const same = stored.filter((c) => c.name === ref.name).sort((a, b) => compareVersions(a.version, b.version));
    if (same.length === 0) return undefined;
    const exact = same.find((c) => compareVersions(c.version, ref.version) === 0);
    if (exact) return { chart: exact, exact: true };
    const below = same.filter((c) => compareVersions(c.version, ref.version) < 0);
    return { chart: below.length > 0 ? below[below.length - 1] : same[0], exact: false };
}

export interface HelmResult {
    readonly ok: boolean;
    readonly stdout: string;
    readonly stderr: string;
}

export function runHelm(helm: string, args: readonly string[]): HelmResult {
    const result = spawnSync(helm, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    if (result.error) return { ok: false, stdout: "", stderr: result.error.message };
    return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

/** `helm pull` of the pinned chart into a fresh directory; the unpacked chart's path, or helm's error. */
export function pullChart(helm: string, ref: ChartRef, into: string): { dir?: string; error?: string } {
    const args = ref.chart.startsWith("oci://")
        ? ["pull", ref.chart, "--version", ref.version, "--untar", "--untardir", into]
        : ["pull", ref.name, "--repo", ref.repository ?? "", "--version", ref.version, "--untar", "--untardir", into];
    const result = runHelm(helm, args);
    if (!result.ok) return { error: result.stderr.trim() || "helm pull failed" };
    return { dir: path.join(into, ref.name) };
}

function readAll(dir: string, keep: (file: string) => boolean): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).flatMap((e) => {
        const file = path.join(e.parentPath, e.name);
        return e.isFile() && keep(file) ? [fs.readFileSync(file, "utf8")] : [];
    });
}

/** What the chart in `dir` says about its values (defaults, schema, template references, subcharts). */
export function chartValueFacts(dir: string): ChartValueFacts {
    const valuesFile = path.join(dir, "values.yaml");
    const defaults = fs.existsSync(valuesFile) ? ((YAML.parse(fs.readFileSync(valuesFile, "utf8")) as ValueTree | null) ?? {}) : {};
    const schemaFile = path.join(dir, "values.schema.json");
    const schema = fs.existsSync(schemaFile) ? (JSON.parse(fs.readFileSync(schemaFile, "utf8")) as JsonSchema) : undefined;
    const templates = readAll(path.join(dir, "templates"), (f) => /\.(ya?ml|tpl|txt)$/.test(f));
    const subcharts = fs.existsSync(path.join(dir, "charts"))
        ? fs.readdirSync(path.join(dir, "charts")).map((n) => n.replace(/-\d.*$/, "").replace(/\.tgz$/, ""))
        : [];
    const meta = YAML.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as {
        dependencies?: Array<{ name: string; alias?: string }>;
    };
    const deps = (meta.dependencies ?? []).map((d) => d.alias ?? d.name);
    return { defaults, schema, templatePaths: templateValuePaths(templates), passThrough: new Set(["global", ...subcharts, ...deps]) };
}

export interface RenderRequest {
    readonly helm: string;
    readonly releaseName: string;
    readonly chartDir: string;
    readonly namespace: string;
    readonly values: ValueTree;
    readonly kubeVersion: string;
    readonly includeCrds: boolean;
}

/** `helm template` of a release; the parsed manifests, or helm's error. */
export function renderChart(req: RenderRequest): { docs?: Array<Record<string, unknown>>; error?: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-render-"));
    try {
        const valuesFile = path.join(dir, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(req.values));
        const args = [
            "template",
            req.releaseName,
            req.chartDir,
            "--namespace",
            req.namespace,
            "--kube-version",
            req.kubeVersion,
            "--values",
            valuesFile,
            "--skip-tests",
        ];
        if (req.includeCrds) args.push("--include-crds");
        const result = runHelm(req.helm, args);
        if (!result.ok) return { error: result.stderr.trim() || "helm template failed" };
        const docs = YAML.parseAllDocuments(result.stdout)
            .map((d) => d.toJS() as unknown)
            .filter((d): d is Record<string, unknown> => isTree(d) && typeof d.kind === "string");
        return { docs };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
