// "My data" and the registrar's copies: while a copy is being made, ask its status URL
// every few seconds and show the progress; once it is ready (or failed) reload the page,
// which then shows the download link and its expiry. Without scripts the page says to
// reload it.
const items = document.querySelectorAll("[data-export-status-url]");
const EVERY_MS = 2000;

function poll(item) {
  const text = item.querySelector("[data-export-text]");
  const bar = item.querySelector("[data-export-progress]");
  fetch(item.dataset.exportStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.statusText))))
    .then((answer) => {
      if (!answer.in_progress) {
        window.location.reload();
        return;
      }
      if (text && text.textContent !== answer.text) {
        text.textContent = answer.text;
      }
      if (bar) {
        bar.value = answer.progress;
        bar.textContent = `${answer.progress} %`;
      }
      window.setTimeout(() => poll(item), EVERY_MS);
    })
    .catch(() => window.setTimeout(() => poll(item), EVERY_MS * 5));
}

items.forEach((item) => window.setTimeout(() => poll(item), EVERY_MS));
