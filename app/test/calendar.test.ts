import assert from "node:assert/strict";
import { calendarDay, clockTime, isValidTimeZone } from "../src/domain/calendar";

// Midnight in Asia/Tokyo (UTC+9, no DST) is 15:00 UTC of the previous day.
const TOKYO_MIDNIGHT = new Date("2026-11-22T15:00:00.000Z");
const JUST_BEFORE = new Date(TOKYO_MIDNIGHT.getTime() - 1);

/** Runs `body` with process.env.TZ set to `timeZone`, restoring the previous value after. */
function withProcessTimeZone(timeZone: string, body: () => void): void {
  const saved = process.env.TZ;
  process.env.TZ = timeZone;
  try {
    body();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

describe("calendar in a configured time zone", () => {
  it("changes day at midnight in Asia/Tokyo, i.e. 15:00 UTC", () => {
    assert.equal(calendarDay(JUST_BEFORE, "Asia/Tokyo"), "2026-11-22");
    assert.equal(clockTime(JUST_BEFORE, "Asia/Tokyo"), "23:59:59");
    assert.equal(calendarDay(TOKYO_MIDNIGHT, "Asia/Tokyo"), "2026-11-23");
    assert.equal(clockTime(TOKYO_MIDNIGHT, "Asia/Tokyo"), "00:00:00");
  });

  it("keeps the UTC day at the same instants", () => {
    assert.equal(calendarDay(JUST_BEFORE, "UTC"), "2026-11-22");
    assert.equal(clockTime(JUST_BEFORE, "UTC"), "14:59:59");
    assert.equal(calendarDay(TOKYO_MIDNIGHT, "UTC"), "2026-11-22");
    assert.equal(clockTime(TOKYO_MIDNIGHT, "UTC"), "15:00:00");
  });

  it("changes day at midnight in UTC while it is 09:00 in Tokyo", () => {
    const utcMidnight = new Date("2026-11-23T00:00:00.000Z");
    assert.equal(calendarDay(new Date(utcMidnight.getTime() - 1), "UTC"), "2026-11-22");
    assert.equal(calendarDay(utcMidnight, "UTC"), "2026-11-23");
    assert.equal(clockTime(utcMidnight, "UTC"), "00:00:00");
    assert.equal(clockTime(utcMidnight, "Asia/Tokyo"), "09:00:00");
  });

  it("formats with zero padding and a 24-hour clock", () => {
    const instant = new Date("2026-01-04T22:05:09.000Z"); // 2026-01-05 07:05:09 in Tokyo
    assert.equal(calendarDay(instant, "Asia/Tokyo"), "2026-01-05");
    assert.equal(clockTime(instant, "Asia/Tokyo"), "07:05:09");
    assert.equal(clockTime(new Date("2026-01-04T12:00:00.000Z"), "UTC"), "12:00:00");
    assert.equal(clockTime(new Date("2026-01-04T23:30:00.000Z"), "UTC"), "23:30:00");
  });

  it("follows daylight saving time in zones that have it", () => {
    // New York: UTC-5 in winter, UTC-4 in summer.
    assert.equal(clockTime(new Date("2026-01-15T12:00:00Z"), "America/New_York"), "07:00:00");
    assert.equal(clockTime(new Date("2026-07-15T12:00:00Z"), "America/New_York"), "08:00:00");
    assert.equal(calendarDay(new Date("2026-07-15T03:59:59Z"), "America/New_York"), "2026-07-14");
    assert.equal(calendarDay(new Date("2026-07-15T04:00:00Z"), "America/New_York"), "2026-07-15");
  });

  it("does not depend on the process's TZ", () => {
    const sample = () => [
      calendarDay(JUST_BEFORE, "Asia/Tokyo"),
      calendarDay(TOKYO_MIDNIGHT, "Asia/Tokyo"),
      clockTime(TOKYO_MIDNIGHT, "Asia/Tokyo"),
      calendarDay(TOKYO_MIDNIGHT, "UTC"),
      clockTime(TOKYO_MIDNIGHT, "UTC"),
    ];
    const expected = ["2026-11-22", "2026-11-23", "00:00:00", "2026-11-22", "15:00:00"];
    assert.deepEqual(sample(), expected);
    const localHourAtTokyoMidnight: Record<string, number> = { "America/Los_Angeles": 7, "Pacific/Kiritimati": 5, UTC: 15 };
    for (const [processZone, localHour] of Object.entries(localHourAtTokyoMidnight)) {
      withProcessTimeZone(processZone, () => {
        // Proves the process zone did change: Date's local getters follow it.
        assert.equal(TOKYO_MIDNIGHT.getHours(), localHour, `TZ=${processZone} did not take effect`);
        assert.deepEqual(sample(), expected, `with TZ=${processZone}`);
      });
    }
  });

  it("knows valid IANA zones and refuses others", () => {
    assert.equal(isValidTimeZone("Asia/Tokyo"), true);
    assert.equal(isValidTimeZone("UTC"), true);
    assert.equal(isValidTimeZone("Mars/Olympus_Mons"), false);
    assert.equal(isValidTimeZone("JST+9 or so"), false);
  });
});
