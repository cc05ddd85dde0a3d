/**
 * "Today" and clock times in a configured time zone, independent of the server's TZ: Fargate
 * runs in UTC, but a Japanese user's day starts at midnight in Asia/Tokyo.
 */

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
const timeFormatters = new Map<string, Intl.DateTimeFormat>();

// Formatters are costly to build; one per zone is kept for the life of the process.
function cached(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let formatter = cache.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", { timeZone, ...options });
    cache.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows this IANA time zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day of `instant` in `timeZone`, as `YYYY-MM-DD`. */
export function calendarDay(instant: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return cached(dayFormatters, timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

/** The wall-clock time of `instant` in `timeZone`, as `HH:MM:SS` (24-hour). */
export function clockTime(instant: Date, timeZone: string): string {
  return cached(timeFormatters, timeZone, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(instant);
}
