// The live stream (/api/live): Server-Sent Events that follow the event log.
// The browser reconnects by itself; listeners hear each message and each
// (re)connection, after which they re-read what they show.

export class Live {
  constructor(indicator) {
    this.indicator = indicator;
    this.listeners = new Set();
    this.received = 0;
  }

  start() {
    this.source = new EventSource("/api/live");
    this.source.addEventListener("hello", () => {
      this.show("live", "live");
      for (const listener of this.listeners) listener({ kind: "connected" });
    });
    this.source.addEventListener("events", (message) => {
      const data = JSON.parse(message.data);
      this.received += data.count;
      this.indicator.dataset.events = String(this.received);
      for (const listener of this.listeners) listener({ kind: "events", ...data });
    });
    this.source.addEventListener("problem", (message) => {
      this.show("offline", JSON.parse(message.data).message);
    });
    this.source.addEventListener("error", () => {
      this.show("offline", this.source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
    });
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
