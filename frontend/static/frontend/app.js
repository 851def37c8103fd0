// Progressive enhancement only: every page works without JavaScript.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // Collapsible navigation on narrow screens.
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    const narrow = window.matchMedia("(max-width: 47.99rem)");
    const apply = () => {
      if (narrow.matches) {
        toggle.hidden = false;
        const open = toggle.getAttribute("aria-expanded") === "true";
        nav.dataset.collapsed = open ? "false" : "true";
      } else {
        toggle.hidden = true;
        nav.dataset.collapsed = "false";
      }
    };
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      apply();
    });
    narrow.addEventListener("change", apply);
    apply();
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
