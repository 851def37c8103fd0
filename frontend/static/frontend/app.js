// Progressive enhancement only: every page works without JavaScript.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // Collapsible navigation on narrow screens. The CSS draws it collapsed from the first
  // paint (nothing moves when this script arrives); without JavaScript, nojs.css shows it
  // open and hides the button.
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.toggleAttribute("data-open", open);
    });
  }

  // Forms that ask before doing something drastic.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });

  // The service worker (/sw.js) only shows web pushes; it caches nothing. Registered for
  // logged-in people only (the navigation exists only for them). Without it the site works
  // the same, minus pushes, so a failure is not an error.
  if (nav && "serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => {
      console.debug("service worker not registered:", error);
    });
  }
});
