// The words of a read receipt line: "Läst av Sofia 18:02 · inte av Henrik". Pure (no page),
// so Node's tests can hold it to its cases; receipts.js draws it.
import { formatShortTime, pageSettings } from "../time.js";

const fill = (template, values) => template.replace(/%\((\w+)\)s/g, (_whole, key) => values[key]);

// entries: [{id, name, read, at}] for every reader of the thread but the writer. Those who
// read are listed by when they did (a read from before receipts were kept, without a time,
// first); those who have not, in the order given (the family first). "" for no readers.
export function receiptsText(entries, strings, settings = pageSettings(), now = new Date()) {
  if (!entries || entries.length === 0) {
    return "";
  }
  const read = entries.filter((entry) => entry.read);
  const unread = entries.filter((entry) => !entry.read);
  read.sort((a, b) => (a.at ? Date.parse(a.at) : 0) - (b.at ? Date.parse(b.at) : 0));
  // "Sofia 18:02": a name and its time, the same in Swedish and English.
  const readNames = read.map((entry) => (entry.at ? `${entry.name} ${formatShortTime(entry.at, settings, now)}` : entry.name));
  const unreadNames = unread.map((entry) => entry.name).join(", ");
  if (read.length === 0) {
    return fill(strings.receiptsNobody, { names: unreadNames });
  }
  const readPart = fill(strings.receiptsReadBy, { names: readNames.join(", ") });
  if (unread.length === 0) {
    return readPart;
  }
  return `${readPart} · ${fill(strings.receiptsNotBy, { names: unreadNames })}`;
}
