// The page's one LiveClient, made on first use from what the server wrote on <html>
// (data-socket: the socket's path; data-heartbeat-ms: the server's heartbeat interval).
// Every script that imports this module gets the same client, so a tab holds one socket
// however many parts of the page are live.
import { LiveClient } from "./client.js";

let client = null;

export function liveClient() {
  if (client === null) {
    const root = document.documentElement;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    client = new LiveClient({
      url: `${scheme}://${window.location.host}${root.dataset.socket || "/ws/"}`,
      heartbeatMs: Number(root.dataset.heartbeatMs) || 20000,
      WebSocket: window.WebSocket,
      timers: window,
      events: window,
    });
    client.start();
  }
  return client;
}

// Whether this browser can hold a live socket at all (the page works without it).
export function liveSupported() {
  return "WebSocket" in window && Boolean(document.documentElement.dataset.socket);
}
