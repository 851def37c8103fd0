// A link to one message of the thread (a search result: `?thread=<id>#m-<message id>`):
// earlier messages are loaded through the thread's history, as "load earlier" does, until
// the message is on the page, then it is scrolled to and marked. Bounded: a message that is
// not in the thread (retracted since, or not readable) simply is not found.
const MAX_LOADS = 40;

export async function landOnLinkedMessage(loadEarlier, doc = document) {
  const match = /^#m-(\d+)$/.exec(doc.location.hash);
  if (!match) {
    return null;
  }
  const id = `m-${match[1]}`;
  let target = doc.getElementById(id);
  for (let loads = 0; !target && loads < MAX_LOADS; loads += 1) {
    const more = await loadEarlier();
    target = doc.getElementById(id);
    if (!more) {
      break;
    }
  }
  if (target) {
    target.classList.add("message--linked");
    target.setAttribute("tabindex", "-1");
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }
  return target;
}
