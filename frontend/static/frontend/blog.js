// The class blog, live: new posts, approvals and comments appear without a reload.
//
// The socket only says which post changed (ids and event numbers, never text); the page
// then fetches that post as HTML through the same view as its own page, which asks the
// access policy again. The blog's event numbers let the page catch up after a reconnect or
// a dropped notice: it subscribes with the highest number it has seen, and the heartbeat's
// answer says when the blog has moved on. Without scripts, the page is complete as served.
import { liveClient, liveSupported } from "./socket/live.js";

// The writing form without a wall of empty fields on a phone: the next image's fields show
// once the one before has a file. An image over the size limit is named at once instead of
// after a long upload. Without scripts every field is there and the server judges.
function enhanceImageSlots(form) {
  if (!form) {
    return;
  }
  const slots = Array.from(form.querySelectorAll("[data-image-slot]"));
  const fileOf = (slot) => slot.querySelector("input[type=file]");
  const hasFile = (slot) => fileOf(slot).files.length > 0;

  function showSlots() {
    slots.forEach((slot, index) => {
      slot.hidden = index > 0 && !hasFile(slot) && !hasFile(slots[index - 1]);
    });
  }

  function checkSize(input) {
    let error = input.parentElement.querySelector("[data-slot-error]");
    const limit = Number(input.dataset.maxMb) * 1024 * 1024;
    const file = input.files[0];
    if (file && limit && file.size > limit) {
      if (!error) {
        error = document.createElement("p");
        error.className = "field__errors";
        error.setAttribute("data-slot-error", "");
        error.setAttribute("role", "alert");
        error.id = `${input.id}-error`;
        input.after(error);
        input.setAttribute("aria-describedby", error.id);
      }
      error.textContent = `${file.name}: ${input.dataset.textTooLarge}`;
      input.value = ""; // not sent; the person chooses a smaller one
    } else if (error && file) {
      error.remove();
      input.removeAttribute("aria-describedby");
    }
  }

  slots.forEach((slot) => {
    fileOf(slot).addEventListener("change", (event) => {
      checkSize(event.target);
      showSlots();
    });
  });
  showSlots();
}

const root = document.querySelector("[data-blog]");
const blogId = root ? Number(root.dataset.blog) : 0;
const connection = root && root.querySelector("[data-connection]");
const announcer = document.createElement("div");
announcer.className = "visually-hidden";
announcer.setAttribute("aria-live", "polite");

const state = {
  head: root ? Number(root.dataset.head) || 0 : 0,
  fetching: new Map(), // post id -> a newer change arrived while fetching
};

function postUrl(id) {
  return root.dataset.postUrl.replace(/\/0\/$/, `/${id}/`) + "?fragment=1";
}

function setConnection(online) {
  if (!connection) {
    return;
  }
  connection.textContent = online ? root.dataset.textOnline : root.dataset.textOffline;
  connection.classList.toggle("connection--online", online);
}

// --- Sections that fill and empty while the page is open -------------------------------

// A section's "nothing here" hint shows while its lists are empty; a section marked
// data-hide-empty (the writer's waiting posts, the scheduled ones) hides instead.
function syncSections() {
  root.querySelectorAll("section").forEach((section) => {
    const lists = Array.from(section.querySelectorAll("[data-list]"));
    if (!lists.length) {
      return;
    }
    const empty = lists.every((list) => !list.querySelector("[data-post]"));
    const hint = section.querySelector("[data-empty]");
    if (hint) {
      hint.hidden = !empty;
    }
    if (section.hasAttribute("data-hide-empty")) {
      section.hidden = empty;
    }
  });
}

// --- Placing a fetched post ------------------------------------------------------------

function keepTypedComment(oldPost, newPost) {
  const oldForm = oldPost.querySelector("[data-comment-form]");
  const newForm = newPost.querySelector("[data-comment-form]");
  if (!oldForm || !newForm) {
    return;
  }
  const field = oldForm.querySelector("textarea");
  if (field && (field.value.trim() || document.activeElement === field)) {
    newForm.replaceWith(oldForm);
  }
}

function insertPublished(list, post) {
  // Pinned posts first (newest pin first), then newest first.
  if (post.dataset.pinned === "1") {
    list.prepend(post);
    return;
  }
  const firstUnpinned = Array.from(list.children).find((item) => item.dataset.pinned !== "1");
  list.insertBefore(post, firstUnpinned || null);
}

function place(post) {
  const id = post.dataset.post;
  const old = document.getElementById(`post-${id}`);
  const list = root.querySelector(`[data-list="${post.dataset.state}"]`);
  if (old) {
    keepTypedComment(old, post);
    const samePlace = old.parentElement === list && old.dataset.pinned === post.dataset.pinned;
    if (samePlace) {
      old.replaceWith(post);
      return;
    }
    old.remove();
  }
  if (!list) {
    return; // a kind of post this page does not show
  }
  if (post.dataset.state === "published") {
    insertPublished(list, post);
  } else {
    list.append(post);
  }
  if (!old) {
    post.classList.add("blog-post--new");
    const title = post.querySelector(".blog-post__title");
    announcer.textContent = `${root.dataset.textNew}: ${title ? title.textContent.trim() : ""}`;
  }
}

async function refresh(id) {
  if (state.fetching.has(id)) {
    state.fetching.set(id, true); // fetch once more when this one is done
    return;
  }
  state.fetching.set(id, false);
  try {
    const response = await fetch(postUrl(id), { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (response.status === 404) {
      const old = document.getElementById(`post-${id}`);
      if (old) {
        old.remove(); // no longer visible to this reader (declined, or access ended)
      }
    } else if (response.ok) {
      const template = document.createElement("template");
      template.innerHTML = (await response.text()).trim();
      const post = template.content.querySelector("[data-post]");
      if (post) {
        place(post);
      }
    }
    syncSections();
  } catch (error) {
    // Offline: the next subscribe catches up from the event number.
  } finally {
    const again = state.fetching.get(id);
    state.fetching.delete(id);
    if (again) {
      refresh(id);
    }
  }
}

// --- Live -------------------------------------------------------------------------------

// The blog as a topic of the tab's live client: subscribed with the highest event number
// seen on every (re)connect, and again when a heartbeat reply says the blog moved on.
const topic = {
  subscribe: () => ({ type: "blog_subscribe", blog: blogId, after: state.head, ref: "blog_subscribe" }),
};

function startLive() {
  const client = liveClient();
  root.appendChild(announcer);
  const stopFollowing = client.follow(topic);
  const unhooks = [
    client.onStatus((status) => {
      if (status !== "open") {
        setConnection(false);
      }
    }),
    client.on("blog_subscribed", (frame) => {
      if (frame.blog === blogId) {
        frame.changed.forEach(refresh);
        state.head = Math.max(state.head, frame.head);
        client.served();
        setConnection(true);
      }
    }),
    client.on("blog", (frame) => {
      if (frame.blog === blogId) {
        refresh(frame.post);
        state.head = Math.max(state.head, frame.seq);
      }
    }),
    client.on("pong", (frame) => {
      if (frame.blogs && frame.blogs[String(blogId)] > state.head) {
        client.send(topic.subscribe()); // a notice was dropped: catch up
      }
    }),
    client.on("error", (frame) => {
      // The database was away when the blog was to be followed: ask again shortly.
      if (frame.code === "unavailable" && frame.ref === "blog_subscribe") {
        setTimeout(() => client.send(topic.subscribe()), (frame.retry_after || 5) * 1000 * (1 + Math.random() / 2));
      }
    }),
  ];
  client.on("revoked", (frame) => {
    if (frame.blog === blogId) {
      // Access ended: stop following the blog (the socket serves the rest of the tab).
      stopFollowing();
      unhooks.forEach((unhook) => unhook());
      setConnection(false);
    }
  });
}

if (root) {
  enhanceImageSlots(root.querySelector("[data-blog-form]"));
  if (liveSupported()) {
    startLive();
  }
}
