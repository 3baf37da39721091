// Instants as the report wants them (RFC 3339 with an explicit offset) and as a person
// types them (the area's wall clock, whatever zone the phone is set to). Pure: no DOM.

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** The wall-clock parts of an instant in an IANA zone. */
export function wallClock(instant, zone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(instant);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/** The zone's offset from UTC at that instant, in minutes (Asia/Shanghai: 480). */
export function offsetMinutes(instant, zone) {
  const w = wallClock(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60000);
}

function offsetText(minutes) {
  const sign = minutes < 0 ? "-" : "+";
  const size = Math.abs(minutes);
  return `${sign}${pad(Math.floor(size / 60))}:${pad(size % 60)}`;
}

/** "2026-11-25T08:30" for a datetime-local input showing the instant in the zone. */
export function toLocalInput(instant, zone) {
  const w = wallClock(instant, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** RFC 3339 with the zone's offset: "2026-11-25T08:30:00+08:00". */
export function toRfc3339(instant, zone) {
  const w = wallClock(instant, zone);
  const date = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
  const time = `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  return `${date}T${time}${offsetText(offsetMinutes(instant, zone))}`;
}

/**
 * The instant a datetime-local value ("2026-11-25T08:30") names in the zone, or null.
 * The offset is the zone's at that wall time (found by two corrections, which settle
 * everywhere but inside a daylight-saving gap).
 */
export function fromLocalInput(value, zone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || "");
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part || 0));
  const naive = Date.UTC(y, mo - 1, d, h, mi, s);
  let guess = naive;
  for (let i = 0; i < 2; i += 1) {
    guess = naive - offsetMinutes(new Date(guess), zone) * 60000;
  }
  return new Date(guess);
}

/** A short local time for people: "11-25 08:30". */
export function shortLocal(isoText, zone) {
  if (!isoText) return "";
  const w = wallClock(new Date(isoText), zone);
  return `${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}
