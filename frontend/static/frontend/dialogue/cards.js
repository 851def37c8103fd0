// The registry of card renderers: each cards/<kind>.js registers its drawing function here,
// and the timeline asks for a card by its type. No globals: renderers and the timeline share this module.
import { formatDate, formatDateTime, todayIso } from "../time.js";

const drawers = new Map();

export function registerCard(type, draw) {
  drawers.set(type, draw);
}

// What a renderer gets besides the card: the element helper, the page's strings, and the
// one way to write dates and times.
export function cardTools(el, strings) {
  const english = document.documentElement.lang === "en";
  return {
    el,
    S: strings,
    formatTime: (iso) => formatDateTime(iso),
    formatDate: (isoDate) => formatDate(isoDate),
    today: () => todayIso(), // "2026-12-02", at the school
    // Names of subjects and areas come in both languages; show the reader's.
    name: (names) => (names ? names[english ? "en" : "sv"] : ""),
    // Server-rendered and sanitised (nh3) HTML of a free-text field.
    html(className, markup) {
      const box = el("div", className);
      box.innerHTML = markup;
      return box;
    },
  };
}

// The card's element, or null when no renderer knows its type.
export function drawCard(card, tools) {
  const draw = drawers.get(card.type);
  return draw ? draw(card, tools) : null;
}
