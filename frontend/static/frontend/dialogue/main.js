// The live dialogue on a student's page (the entry module; student.html loads it).
//
// Guarantees, with the server's help (see feed.js and ../socket/client.js):
// - a message shows at once as pending and is replaced by the stored one on acknowledgement;
// - unacknowledged sends are kept (also across a reload, in sessionStorage) and sent again
//   with the same client id after a reconnect; the server stores a retried send once;
// - after a reconnect, a skipped event number or a heartbeat reply that says the page has
//   moved on, the page asks for every change after the last it applied; applying is an
//   upsert by id, so nothing shows twice.
import "../cards/action_programme.js";
import "../cards/assessment.js";
import "../cards/goal.js";
import "../cards/self_assessment.js";
import "../cards/support.js";
import "../cards/talk.js";
import { liveClient, liveSupported } from "../socket/live.js";
import { Outbox } from "../socket/outbox.js";
import { startComposer } from "./composer.js";
import { retractMessage, startEdit, toggleRevisions } from "./editing.js";
import { PageFeed } from "./feed.js";
import { listen, view } from "./live_view.js";
import { listenForReceipts, rememberReceipts } from "./receipts.js";
import { setMessageActions, showMessage, showPending } from "./render.js";
import { retrySend } from "./sending.js";
import { data, dom, state } from "./store.js";
import { landOnLinkedMessage } from "./landing.js";
import { markRead, placeUnreadMarker, renderUnread } from "./unread.js";

async function loadEarlierMessages() {
  dom.loadEarlier.disabled = true;
  try {
    const response = await fetch(`${data.urls.history}?before=${state.oldestSeq}`, { credentials: "same-origin" });
    const answer = await response.json();
    rememberReceipts(answer.receipts);
    for (const message of answer.messages) {
      showMessage(message);
    }
    dom.loadEarlier.hidden = !answer.more;
    return answer.more;
  } finally {
    dom.loadEarlier.disabled = false;
  }
}

function start() {
  setMessageActions({ retry: retrySend, edit: startEdit, retract: retractMessage, revisions: toggleRevisions });
  rememberReceipts(data.receipts);
  for (const message of data.messages) {
    showMessage(message);
  }
  dom.loadEarlier.hidden = !data.more;
  dom.loadEarlier.addEventListener("click", loadEarlierMessages);
  const lastMessage = dom.timeline.querySelector(".message:last-of-type");
  if (lastMessage && !data.firstUnread) {
    lastMessage.scrollIntoView({ block: "end" });
  }
  placeUnreadMarker();
  renderUnread();
  landOnLinkedMessage(loadEarlierMessages);
  if (!liveSupported()) {
    return;
  }
  const client = liveClient();
  const outbox = new Outbox({ storage: window.sessionStorage, key: `elevdialog.outbox.${data.page}` });
  // Sends a reload left behind, except those stored meanwhile (only the acknowledgement
  // was lost): pending again, and sent once the page is subscribed.
  const stored = new Set(Array.from(state.messages.values(), (message) => message.client_id));
  for (const frame of outbox.load(stored)) {
    if (frame.thread === data.thread) {
      showPending(frame.client_id, frame, "pending");
    }
  }
  listen(client);
  listenForReceipts(client);
  state.feed = new PageFeed({ client, page: data.page, head: data.head, me: data.me.id, outbox, view });
  startComposer();
  document.addEventListener("visibilitychange", markRead);
}

if (data) {
  start();
}
