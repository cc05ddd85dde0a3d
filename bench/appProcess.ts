/** The benchmark's app process: the spawner shared with the reliability tests. */
export * from "../app/harness/appProcess";
