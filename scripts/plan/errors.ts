/** A problem the user can fix (bad argument, unknown region...): printed as one line, no stack trace. */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}
