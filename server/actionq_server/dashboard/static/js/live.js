// The live stream (/api/live): Server-Sent Events that follow the event log.
// The browser reconnects by itself; listeners hear each message and each
// (re)connection, after which they re-read what they show.

export class Live {
  constructor(indicator) {
    this.indicator = indicator;
    this.listeners = new Set();
    this.received = 0;
  }

  // A page holds its stream only while it is shown: browsers allow few
  // connections per server (6 over HTTP/1.1), and a stream held by a hidden
  // tab, or by a page kept in the back-forward cache, would use one up.
  start() {
    this.open();
    document.addEventListener("visibilitychange", () => (document.hidden ? this.close("paused") : this.open()));
    window.addEventListener("pagehide", () => this.close("paused"));
    window.addEventListener("pageshow", () => this.open());
  }

  open() {
    if (this.source || document.hidden) return;
    const source = new EventSource("/api/live");
    this.source = source;
    this.show("connecting", "connecting");
    source.addEventListener("hello", () => {
      this.show("live", "live");
      for (const listener of this.listeners) listener({ kind: "connected" });
    });
    source.addEventListener("events", (message) => {
      const data = JSON.parse(message.data);
      this.received += data.count;
      this.indicator.dataset.events = String(this.received);
      for (const listener of this.listeners) listener({ kind: "events", ...data });
    });
    source.addEventListener("problem", (message) => {
      this.show("offline", JSON.parse(message.data).message);
    });
    source.addEventListener("error", () => {
      this.show("offline", source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
    });
  }

  close(state) {
    if (!this.source) return;
    this.source.close();
    this.source = null;
    this.show(state, state);
  }

  show(state, text) {
    this.indicator.dataset.state = state;
    this.indicator.textContent = text;
  }

  listen(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

// Call `fn` at most once per `interval` ms, the last call always honoured,
// never two runs at once.
export function throttled(fn, interval) {
  let last = 0;
  let timer = null;
  let running = false;
  let again = false;
  const run = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    last = performance.now();
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (timer !== null) return;
    const wait = Math.max(0, last + interval - performance.now());
    timer = setTimeout(run, wait);
  };
  schedule.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return schedule;
}
