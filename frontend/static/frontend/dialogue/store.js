// What the whole dialogue shares: the server's data for the page (#dialogue-data), its
// strings, the elements the scripts work on, and the page's state. `data` is null on pages
// without a dialogue.

const dataElement = document.getElementById("dialogue-data");
export const data = dataElement ? JSON.parse(dataElement.textContent) : null;
export const S = data ? data.strings : {};

const root = document.querySelector(".dialogue");
const composer = root && root.querySelector("[data-composer]");
const find = (selector) => (composer ? composer.querySelector(selector) : null);

export const dom = {
  root,
  timeline: root && root.querySelector("[data-timeline]"),
  composer,
  body: find("[data-composer-body]"),
  guardBox: find("[data-guard]"),
  composerError: find("[data-composer-error]"),
  counter: find("[data-count]"),
  fileInput: find("[data-file]"),
  fileList: find("[data-files]"),
  connection: root && root.querySelector("[data-connection]"),
  typingLine: root && root.querySelector("[data-typing]"),
  notice: root && root.querySelector("[data-notice]"),
  loadEarlier: root && root.querySelector("[data-load-earlier]"),
  jumpUnread: root && root.querySelector("[data-jump-unread]"),
};

export const state = {
  messages: new Map(), // id -> payload, messages of the open thread
  unread: data ? Object.assign({}, data.unread) : {}, // thread id -> unread count
  attachments: [], // uploaded, not yet sent: {id, name}
  oldestSeq: null, // for "show earlier messages"
  readSent: 0, // the highest number reported read
  pendingGuard: null, // the send waiting for "send anyway"
  editing: null, // ref of the edit in progress
  editForm: null,
  noticeUntilSubscribed: false,
  stopped: false, // access ended or the session did
  feed: null, // the PageFeed (main.js)
};

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

export function byClientId(clientId) {
  return dom.timeline.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
}

export function newClientId() {
  if (window.crypto && window.crypto.randomUUID) {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
