// The layout check, run in the page by tests/browser/checks.py (through the DevTools
// protocol, so the page's Content-Security-Policy stays in force for everything else).
// Returns a list of problems in words, empty when the page is laid out well:
//   - the page is wider than the viewport (sideways scrolling);
//   - an element or a line of text runs out of the box that holds it (a button, a table cell,
//     a card, anything with a border, a background or clipped overflow);
//   - a word in a table cell is broken over two lines in the middle.
// Intentionally scrollable boxes (overflow auto/scroll) may hold wider content; visually
// hidden text (the .visually-hidden pattern: clipped to 1 px) is not looked at.
() => {
  const TOLERANCE = 1.5; // px: sub-pixel rounding
  const problems = [];
  const viewport = document.documentElement.clientWidth;

  const describe = (element) => {
    let text = element.tagName.toLowerCase();
    if (element.id) text += `#${element.id}`;
    const classes = [...element.classList].slice(0, 3);
    if (classes.length) text += `.${classes.join(".")}`;
    const testid = element.getAttribute("data-testid");
    if (testid) text += `[data-testid=${testid}]`;
    return text;
  };
  const path = (element) => {
    const parts = [];
    for (let node = element; node && node !== document.body && parts.length < 4; node = node.parentElement) {
      parts.unshift(describe(node));
    }
    return parts.join(" > ");
  };
  const snippet = (text) => {
    const clean = text.replace(/\s+/g, " ").trim();
    return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
  };

  const hiddenCache = new Map();
  // Visually hidden: clipped to nothing, or a 1x1 box with hidden overflow (sr-only).
  const visuallyHidden = (element) => {
    if (!element || element === document.body) return false;
    if (hiddenCache.has(element)) return hiddenCache.get(element);
    const style = getComputedStyle(element);
    const rect = element.getBoundingClientRect();
    let hidden =
      !element.checkVisibility({ visibilityProperty: true }) || // also: inside a closed <details>
      style.visibility === "hidden" ||
      style.clip === "rect(0px, 0px, 0px, 0px)" ||
      /inset\(50%\)/.test(style.clipPath) ||
      (rect.width <= 1 && rect.height <= 1 && style.overflow !== "visible");
    if (!hidden) hidden = visuallyHidden(element.parentElement);
    hiddenCache.set(element, hidden);
    return hidden;
  };

  const FORM_BOXES = new Set(["BUTTON", "INPUT", "SELECT", "TEXTAREA", "TD", "TH", "SUMMARY"]);
  const hasSide = (style, side) =>
    parseFloat(style[`border${side}Width`]) > 0 && style[`border${side}Style`] !== "none";
  // A box a person sees as holding its content: something drawn around it, or clipping.
  const isBox = (element, style) =>
    FORM_BOXES.has(element.tagName) ||
    style.overflowX !== "visible" ||
    hasSide(style, "Left") ||
    hasSide(style, "Right") ||
    (style.backgroundColor !== "rgba(0, 0, 0, 0)" && style.backgroundColor !== "transparent") ||
    style.backgroundImage !== "none";
  const boxCache = new Map();
  const boxOf = (element) => {
    for (let node = element; node && node !== document.body && node !== document.documentElement; node = node.parentElement) {
      if (boxCache.has(node)) return boxCache.get(node);
      const style = getComputedStyle(node);
      if (style.display === "contents") continue;
      if (isBox(node, style)) {
        boxCache.set(node, node);
        return node;
      }
      // Placed on purpose outside the flow (Django admin's "original" line, a tooltip): its
      // parent does not hold it.
      if (style.position === "absolute" || style.position === "fixed") return null;
    }
    return null;
  };
  const scrolls = (element) => ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
  // The padding box: inside the border.
  const inner = (element) => {
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {
      left: rect.left + parseFloat(style.borderLeftWidth),
      right: rect.right - parseFloat(style.borderRightWidth),
    };
  };

  // 1. The page as a whole.
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > viewport) {
    const insideScroller = (element) => {
      for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
        if (scrolls(node)) return true;
      }
      return false;
    };
    const widest = [...document.body.querySelectorAll("*")]
      .filter((element) => !visuallyHidden(element) && !insideScroller(element))
      .map((element) => [element, element.getBoundingClientRect().right])
      .filter(([, right]) => right > viewport + TOLERANCE)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([element, right]) => `${path(element)} (to ${Math.round(right)} px)`);
    problems.push(`page is ${pageWidth} px wide in a ${viewport} px viewport: ${widest.join("; ")}`);
  }

  // 2. Elements and text running out of their box.
  const reported = new Set();
  const report = (box, what, rect) => {
    const key = `${path(box)}|${what}`;
    if (reported.has(key)) return;
    reported.add(key);
    const edges = inner(box);
    problems.push(
      `${what} runs out of ${path(box)}: ${Math.round(rect.left)}–${Math.round(rect.right)} px ` +
        `in a box of ${Math.round(edges.left)}–${Math.round(edges.right)} px`,
    );
  };
  const outside = (rect, edges) => rect.left < edges.left - TOLERANCE || rect.right > edges.right + TOLERANCE;

  // An element that runs out of its box takes its descendants with it: only the outermost
  // is reported.
  const outOfBox = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      if (!node.textContent.trim()) continue;
      const parent = node.parentElement;
      if (!parent || visuallyHidden(parent) || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(parent.tagName)) continue;
      const box = boxOf(parent);
      if (!box) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const edges = inner(box);
      for (const rect of range.getClientRects()) {
        if (rect.width > 0 && outside(rect, edges)) {
          if (scrolls(box)) break;
          report(box, `text "${snippet(node.textContent)}"`, rect);
          break;
        }
      }
      continue;
    }
    const element = node;
    if (element.getClientRects().length === 0 || visuallyHidden(element)) continue;
    const style = getComputedStyle(element);
    if (style.position === "fixed" || style.position === "absolute") continue;
    const box = boxOf(element.parentElement);
    if (!box || scrolls(box)) continue;
    const rect = element.getBoundingClientRect();
    if (rect.width === 0) continue;
    if (outside(rect, inner(box))) {
      outOfBox.add(element);
      if (!outOfBox.has(element.parentElement)) report(box, path(element), rect);
    }
  }

  // 3. Words broken in the middle in table cells: a word (letters and digits on both sides
  // of the break) whose characters sit on more than one line.
  const wordChar = /[\p{L}\p{N}]/u;
  for (const cell of document.querySelectorAll("td, th")) {
    if (cell.getClientRects().length === 0 || visuallyHidden(cell)) continue;
    const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      if (!text.parentElement || visuallyHidden(text.parentElement)) continue;
      const content = text.textContent;
      const range = document.createRange();
      range.selectNodeContents(text);
      if (range.getClientRects().length < 2) continue; // all on one line
      for (const match of content.matchAll(/\S+/g)) {
        if (match[0].length < 2) continue;
        let previousTop = null;
        for (let i = 0; i < match[0].length; i += 1) {
          const at = match.index + i;
          range.setStart(text, at);
          range.setEnd(text, at + 1);
          const rect = range.getClientRects()[0];
          if (!rect) continue;
          if (previousTop !== null && rect.top > previousTop + rect.height / 2) {
            const before = content[at - 1];
            const after = content[at];
            if (wordChar.test(before) && wordChar.test(after)) {
              problems.push(
                `word "${match[0].slice(0, i)}|${match[0].slice(i)}" is broken over two lines in ${path(cell)}`,
              );
            }
            break;
          }
          previousTop = rect.top;
        }
      }
    }
  }
  return problems;
}
