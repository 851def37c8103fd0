// Dates and times as the server's templates write them (DATETIME_FORMAT "j F Y H:i" and
// DATE_FORMAT "j F Y", config/formats/): "2 december 2026 06:29" in Swedish, "2 December
// 2026 06:29" in English, always in the school's time zone (data-time-zone on <html>),
// whatever zone the reader's device is set to.

const cache = new Map();

function formatter(language, timeZone, withTime) {
  const key = `${language}|${timeZone}|${withTime}`;
  if (!cache.has(key)) {
    const options = { day: "numeric", month: "long", year: "numeric", timeZone };
    if (withTime) {
      Object.assign(options, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    }
    cache.set(key, new Intl.DateTimeFormat(language, options));
  }
  return cache.get(key);
}

function parts(date, language, timeZone, withTime) {
  const found = {};
  for (const part of formatter(language, timeZone, withTime).formatToParts(date)) {
    found[part.type] = part.value;
  }
  return found;
}

// The page's language as Intl names it, and the school's zone: what every call uses unless
// told otherwise (Node's tests pass both).
export function pageSettings(root = globalThis.document && globalThis.document.documentElement) {
  return {
    language: root && root.lang === "en" ? "en-GB" : "sv-SE",
    timeZone: (root && root.dataset.timeZone) || "Europe/Stockholm",
  };
}

// "2 december 2026 06:29" for an ISO 8601 instant ("2026-12-02T05:29:00+00:00").
export function formatDateTime(iso, settings = pageSettings()) {
  const p = parts(new Date(iso), settings.language, settings.timeZone, true);
  return `${p.day} ${p.month} ${p.year} ${p.hour}:${p.minute}`;
}

// "2 december 2026" for a calendar date ("2026-12-02"), which has no time zone.
export function formatDate(isoDate, settings = pageSettings()) {
  const [year, month, day] = isoDate.split("-").map(Number);
  const noon = new Date(Date.UTC(year, month - 1, day, 12));
  const p = parts(noon, settings.language, "UTC", false);
  return `${p.day} ${p.month} ${p.year}`;
}

// Today's date in the school's zone, as "2026-12-02".
export function todayIso(settings = pageSettings(), now = new Date()) {
  const p = new Intl.DateTimeFormat("en-CA", {
    year: "numeric", month: "2-digit", day: "2-digit", timeZone: settings.timeZone,
  }).formatToParts(now);
  const value = (type) => p.find((part) => part.type === type).value;
  return `${value("year")}-${value("month")}-${value("day")}`;
}

// A time in a short line ("read at"): "18:02" today, "2 december 18:02" earlier this year,
// "2 december 2025 18:02" before that; in the school's zone.
export function formatShortTime(iso, settings = pageSettings(), now = new Date()) {
  const p = parts(new Date(iso), settings.language, settings.timeZone, true);
  const today = parts(now, settings.language, settings.timeZone, true);
  const clock = `${p.hour}:${p.minute}`;
  if (p.year === today.year && p.month === today.month && p.day === today.day) {
    return clock;
  }
  return p.year === today.year ? `${p.day} ${p.month} ${clock}` : `${p.day} ${p.month} ${p.year} ${clock}`;
}
