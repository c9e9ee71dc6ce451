//! Following the event log across disconnects: [`EventFollower`], from
//! [`Client::follow_events`](crate::Client::follow_events).
//!
//! Cursors are opaque strings: the follower never parses or orders them, it only hands back the
//! last one the server gave it.

use std::collections::VecDeque;
use std::time::Duration;

use tonic::Streaming;

use crate::error::is_transient;
use crate::{pb, Client, Error, Reason};

/// Consecutive failed attempts (errors, or streams that ended before delivering anything) after
/// which [`EventFollower::next`] gives up and returns the error: with the backoff, about a minute,
/// long enough for a server restart.
const MAX_FAILURES: u32 = 16;

/// Reads the event log one event at a time, from a cursor, live. When the stream fails with a
/// transient error (UNAVAILABLE and the like), the server closes it because this reader fell too
/// far behind (RESOURCE_EXHAUSTED / [`Reason::WatcherTooSlow`]) or the server ends it (a restart,
/// a drain), it is reopened from [`cursor`](EventFollower::cursor), so every event after the starting cursor is
/// delivered once, in log order. Save `cursor()` after handling an event to resume there later.
#[derive(Debug)]
pub struct EventFollower {
    client: Client,
    request: pb::WatchEventsRequest,
    stream: Option<Streaming<pb::WatchEventsResponse>>,
    delivery: Delivery,
    failures: u32,
}

impl EventFollower {
    pub(crate) fn new(client: Client, request: pb::WatchEventsRequest) -> Self {
        let delivery = Delivery::new(request.after_cursor.clone());
        Self {
            client,
            request,
            stream: None,
            delivery,
            failures: 0,
        }
    }

    /// The next event. Retries transient failures with backoff (100 ms to 5 s) and returns an
    /// error only when one is not transient or attempts kept failing for about a minute.
    pub async fn next(&mut self) -> Result<pb::Event, Error> {
        loop {
            if let Some(event) = self.delivery.pop() {
                return Ok(event);
            }
            let failure = match self.receive().await {
                Ok(true) => {
                    self.failures = 0;
                    continue;
                }
                Ok(false) => None,
                Err(err) if resumable(&err) => Some(err),
                Err(err) => return Err(err),
            };
            self.stream = None;
            self.failures += 1;
            if self.failures >= MAX_FAILURES {
                return Err(failure.unwrap_or_else(|| {
                    Error::from(tonic::Status::unavailable(
                        "the event stream keeps ending before it delivers anything",
                    ))
                }));
            }
            let delay = reopen_delay(failure.as_ref(), self.failures);
            match &failure {
                Some(err) => tracing::warn!(%err, ?delay, "actionq event stream failed; reopening"),
                None => tracing::info!(?delay, "actionq event stream ended; reopening"),
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// Where the events delivered so far end: pass it as `after_cursor` to resume right after the
    /// last event [`next`](EventFollower::next) returned (it may lie past events the filters
    /// skipped). Empty until the server gave a cursor, when the follower started from the start.
    pub fn cursor(&self) -> &str {
        &self.delivery.cursor
    }

    /// Reads one message into the delivery queue, opening the stream first if needed. `Ok(false)`
    /// when the server ended the stream.
    async fn receive(&mut self) -> Result<bool, Error> {
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let mut request = self.request.clone();
                request.after_cursor = self.delivery.cursor.clone();
                // Once a position is known, "from the end" would skip what came after it.
                request.from_end &= request.after_cursor.is_empty();
                self.stream.insert(self.client.watch_events(request).await?)
            }
        };
        match stream.message().await? {
            Some(message) => {
                self.delivery.push(message);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Whether the stream may be reopened after `err`: a transient failure, or the server closing a
/// stream whose reader fell behind (WATCHER_TOO_SLOW, which is RESOURCE_EXHAUSTED).
fn resumable(err: &Error) -> bool {
    *err.reason() == Reason::WatcherTooSlow || is_transient(err.code())
}

/// How long to wait before the `failures`-th consecutive reopening: backoff from 100 ms doubling
/// to 5 s, except that a stream closed for falling behind is reopened at once the first time
/// (its reader is reading again now).
fn reopen_delay(failure: Option<&Error>, failures: u32) -> Duration {
    let too_slow = failure.is_some_and(|err| *err.reason() == Reason::WatcherTooSlow);
    if too_slow && failures <= 1 {
        return Duration::ZERO;
    }
    let delay = Duration::from_millis(100) * 2u32.pow(failures.clamp(1, 7) - 1);
    delay.min(Duration::from_secs(5))
}

/// The events of the messages received and not yet handed out, and the cursor that marks what has
/// been handed out.
#[derive(Debug)]
struct Delivery {
    pending: VecDeque<pb::Event>,
    /// The cursor of the message whose events are pending: it holds once the last one is out.
    message_cursor: String,
    cursor: String,
}

impl Delivery {
    fn new(cursor: String) -> Self {
        Self {
            pending: VecDeque::new(),
            message_cursor: String::new(),
            cursor,
        }
    }

    fn push(&mut self, message: pb::WatchEventsResponse) {
        if message.events.is_empty() {
            if !message.cursor.is_empty() {
                self.cursor = message.cursor;
            }
            return;
        }
        self.pending.extend(message.events);
        self.message_cursor = message.cursor;
    }

    /// The next event; the cursor moves to it, or to the message's cursor after its last event.
    fn pop(&mut self) -> Option<pb::Event> {
        let event = self.pending.pop_front()?;
        self.cursor = if self.pending.is_empty() && !self.message_cursor.is_empty() {
            std::mem::take(&mut self.message_cursor)
        } else {
            event.cursor.clone()
        };
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tonic_types::{ErrorDetails, StatusExt};

    use super::*;
    use crate::ERROR_DOMAIN;

    fn refusal(code: tonic::Code, reason: &str) -> Error {
        let details = ErrorDetails::with_error_info(reason, ERROR_DOMAIN, HashMap::new());
        Error::from(tonic::Status::with_error_details(code, "refused", details))
    }

    #[test]
    fn a_stream_closed_for_falling_behind_is_reopened_at_once() {
        let too_slow = refusal(tonic::Code::ResourceExhausted, "WATCHER_TOO_SLOW");
        assert!(resumable(&too_slow));
        assert_eq!(reopen_delay(Some(&too_slow), 1), Duration::ZERO);
        // Closed again before anything arrived: back off like any failure.
        assert_eq!(reopen_delay(Some(&too_slow), 2), Duration::from_millis(200));

        let unavailable = Error::from(tonic::Status::unavailable("restarting"));
        assert!(resumable(&unavailable));
        assert_eq!(
            reopen_delay(Some(&unavailable), 1),
            Duration::from_millis(100)
        );
        assert_eq!(reopen_delay(None, 3), Duration::from_millis(400));
        assert_eq!(reopen_delay(None, 15), Duration::from_secs(5));

        assert!(!resumable(&refusal(
            tonic::Code::PermissionDenied,
            "PERMISSION_DENIED"
        )));
        assert!(!resumable(&refusal(
            tonic::Code::InvalidArgument,
            "INVALID_FIELD"
        )));
    }

    fn event(id: i64) -> pb::Event {
        pb::Event {
            id,
            cursor: format!("c{id}"),
            ..Default::default()
        }
    }

    #[test]
    fn the_cursor_follows_what_was_handed_out() {
        let mut delivery = Delivery::new("start".to_owned());
        assert_eq!(delivery.pop().map(|e| e.id), None);
        assert_eq!(delivery.cursor, "start");

        delivery.push(pb::WatchEventsResponse {
            events: vec![event(1), event(2)],
            cursor: "m2".to_owned(),
        });
        assert_eq!(delivery.pop().map(|e| e.id), Some(1));
        assert_eq!(delivery.cursor, "c1", "mid-message: the event's own cursor");
        assert_eq!(delivery.pop().map(|e| e.id), Some(2));
        assert_eq!(
            delivery.cursor, "m2",
            "after the last: the message's cursor"
        );

        delivery.push(pb::WatchEventsResponse {
            events: vec![],
            cursor: "m3".to_owned(),
        });
        assert_eq!(delivery.pop().map(|e| e.id), None);
        assert_eq!(
            delivery.cursor, "m3",
            "an empty message still moves the cursor"
        );
    }
}
