import path from "node:path";

/**
 * The folder of static assets. Resolved from this file's folder, which is `app/src` when run from
 * sources and `app/dist` when bundled: both sit beside `app/public`.
 */
export const PUBLIC_DIR = path.resolve(__dirname, "..", "public");
