/** Runner version facts, kept free of SDK imports so config validation can use them before anything loads. */

/** Whether a runner version has `seccomp_profile` in its Kubernetes executor security contexts (18.11+). */
export function runnerSupportsSeccomp(version: string): boolean {
    const m = /^v?(\d+)\.(\d+)\./.exec(version);
    return m !== null && (Number(m[1]) > 18 || (Number(m[1]) === 18 && Number(m[2]) >= 11));
}
