/** CPU architectures the platform runs (node pools, runners, images); SDK-free so config validation can load it cheaply. */
export const ARCHITECTURES = ["arm64", "amd64"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];
