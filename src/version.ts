/** The tool's name and version, as sent in `User-Agent` and printed by `--version`. */
export const NAME = "augment-metrics";
export const VERSION = "0.1.0";
