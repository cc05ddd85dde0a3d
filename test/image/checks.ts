/** Pass/fail bookkeeping shared by the image test's steps: one line per check, a summary at the end. */
const counts = { passes: 0, failures: 0 };

export function check(ok: boolean, what: string, detail = ""): void {
  if (ok) counts.passes++;
  else counts.failures++;
  console.log(`${ok ? "  ok  " : "  FAIL"} ${what}${detail ? `: ${detail}` : ""}`);
}

/** Prints `<step>: N passed, N failed` and exits 1 if any check failed. */
export function finish(step: string): never {
  console.log(`${step}: ${counts.passes} passed, ${counts.failures} failed`);
  process.exit(counts.failures === 0 ? 0 : 1);
}
