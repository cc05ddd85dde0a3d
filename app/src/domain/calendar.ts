/**
 * "Today" and clock times in a configured time zone, independent of the server's TZ: Fargate
 * runs in UTC, but a Japanese user's day starts at midnight in Asia/Tokyo.
 */

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
const timeFormatters = new Map<string, Intl.DateTimeFormat>();

// Formatters are costly to build; one per zone is kept for the life of the process.
function cached(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
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

// "Today" is asked for on every request, and an Intl format costs tens of microseconds: the day of
// the latest second asked is kept per zone. Exact: UTC offsets are whole seconds (in the tz
// database, even the oldest local mean times), so a day starts on a whole UTC second and every
// instant of one second falls on the same day.
const latestDays = new Map<string, { second: number; day: string }>();

/** The calendar day of `instant` in `timeZone`, as `YYYY-MM-DD`. */
export function calendarDay(instant: Date, timeZone: string): string {
  const second = Math.floor(instant.getTime() / 1000);
  const latest = latestDays.get(timeZone);
  if (latest?.second === second) return latest.day;
  // en-CA formats dates as YYYY-MM-DD.
  const day = cached(dayFormatters, timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
  latestDays.set(timeZone, { second, day });
  return day;
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

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written `YYYY-MM-DD` (so `2026-02-30` is not one). */
export function isCalendarDay(text: string): boolean {
  const match = DAY_PATTERN.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

/**
 * The calendar day `days` after `day` (before it when negative), both `YYYY-MM-DD`. Counted on the
 * calendar, not as 24-hour steps back from an instant, which in a zone with daylight saving time
 * can skip a day or land twice on one.
 */
export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}
