// A five-field cron expression in words, for the common shapes ("every weekday at 09:00");
// null when the expression is better shown as it is.
const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const DAY_ABBR = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTH_ABBR = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

export function describeCron(cron: string): string | null {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const [minute, hour, dom, month, dow] = parts as [string, string, string, string, string];

  if (dom === "*" && month === "*" && dow === "*") {
    if (minute === "*" && hour === "*") return "every minute";
    const step = /^\*\/(\d+)$/.exec(minute);
    if (step && hour === "*") return Number(step[1]) === 1 ? "every minute" : `every ${Number(step[1])} minutes`;
  }
  const m = number(minute, 0, 59);
  if (m === null) return null;

  let when: string;
  let atTimes = false;
  const hourStep = /^\*\/(\d+)$/.exec(hour);
  const hourRange = /^(\d+)-(\d+)$/.exec(hour);
  const hours = list(hour, (h) => number(h, 0, 23));
  if (hour === "*") when = `every hour at :${pad(m)}`;
  else if (hourStep) when = `every ${Number(hourStep[1])} hours at :${pad(m)}`;
  else if (hourRange && Number(hourRange[1]) < Number(hourRange[2]) && Number(hourRange[2]) <= 23) {
    when = `every hour from ${pad(Number(hourRange[1]))}:${pad(m)} to ${pad(Number(hourRange[2]))}:${pad(m)}`;
  } else if (hours) {
    when = `at ${join(hours.map((h) => `${pad(h)}:${pad(m)}`))}`;
    atTimes = true;
  } else return null;

  const days = dayPhrase(dom, month, dow);
  if (days === null) return null;
  if (days === "") return atTimes ? `every day ${when}` : when;
  return atTimes ? `${days} ${when}` : `${when}, ${days}`;
}

/** "" for every day; null when the day fields are beyond words. */
function dayPhrase(dom: string, month: string, dow: string): string | null {
  if (dom === "*" && month === "*") {
    if (dow === "*") return "";
    const days = list(dow, dayNumber);
    if (!days) return null;
    const set = [...new Set(days.map((d) => d % 7))].sort();
    if (set.join() === "1,2,3,4,5") return "every weekday";
    if (set.join() === "0,6") return "every weekend day";
    return `every ${join(set.map((d) => DAY_NAMES[d]!))}`;
  }
  if (dow !== "*") return null;
  const monthNo = month === "*" ? null : monthNumber(month);
  if (month !== "*" && monthNo === null) return null;
  if (dom === "L") return monthNo === null ? "on the last day of every month" : `on the last day of ${MONTH_NAMES[monthNo - 1]}`;
  const d = number(dom, 1, 31);
  if (d === null) return null;
  return monthNo === null ? `on the ${ordinal(d)} of every month` : `every year on ${d} ${MONTH_NAMES[monthNo - 1]}`;
}

function list<T>(field: string, each: (s: string) => T | null): T[] | null {
  const out: T[] = [];
  for (const piece of field.split(",")) {
    const range = /^([^-]+)-([^-]+)$/.exec(piece);
    if (range) {
      const a = each(range[1]!);
      const b = each(range[2]!);
      if (typeof a !== "number" || typeof b !== "number" || a > b) return null;
      for (let i = a; i <= b; i++) out.push(i as T);
      continue;
    }
    const v = each(piece);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

function number(s: string, min: number, max: number): number | null {
  if (!/^\d{1,2}$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

function dayNumber(s: string): number | null {
  const i = DAY_ABBR.indexOf(s.toUpperCase());
  return i >= 0 ? i : number(s, 0, 7);
}

function monthNumber(s: string): number | null {
  const i = MONTH_ABBR.indexOf(s.toUpperCase());
  return i >= 0 ? i + 1 : number(s, 1, 12);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function join(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function ordinal(n: number): string {
  const suffix = n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";
  return `${n}${suffix}`;
}
