//! The worker helper: a long-poll claim loop that runs a handler per action under a heartbeat.
//!
//! Each claimed action runs in its own tokio task; the handler gets it as an [`Action`], its
//! payload already decoded into a `serde_json::Value`. While the handler runs, the lease is extended
//! every `lease / 3`; an error fails the action (one Fail RPC, with the retry a [`HandlerError`]
//! asks for) or rejects it (one Reject RPC),
//! success puts its completion in the outbox, which sends the completions of the handlers that
//! returned within a short window in one CompleteMany. A handler's slot is freed as soon as it
//! returns, so the next Claim does not wait for the report's round trip; the reports in flight are
//! bounded by the concurrency as well. When a heartbeat reports that the action was cancelled (or
//! that the lease is gone), the handler's [`CancellationToken`] is cancelled and the action is left
//! alone. Cancelling the shutdown token stops claiming, lets in-flight handlers finish, sends what
//! the outbox holds, then returns.

use std::any::Any;
use std::collections::HashSet;
use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::{interval_at, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::client::proto_duration;
use crate::error::is_transient;
use crate::outcome::{HandlerError, Lease, Report};
use crate::pb::{
    self, ClaimRequest, ClaimedAction, CompleteManyRequest, CompleteRequest, HeartbeatRequest,
};
use crate::{Client, Error, Reason};

/// A claimed action as a handler gets it: the record the server returned (its fields are reachable
/// through `Deref`: `action.id`, `action.target_ref`, …) and its payload decoded losslessly.
/// `action.payload::<T>()` decodes the payload into any `Deserialize` type instead, and
/// [`report_progress`](Action::report_progress) records progress while the handler runs.
#[derive(Clone, Debug)]
pub struct Action {
    /// The payload, a JSON object whose numbers keep every digit they were sent with.
    pub payload: Value,
    /// The action as stored.
    pub record: pb::Action,
    /// The claim to report progress under; set when a [`Worker`] hands the action out.
    pub(crate) lease: Option<Lease>,
}

impl Action {
    /// Decodes the record's payload; fails only if the server sent text that is not JSON.
    pub fn from_record(record: pb::Action) -> Result<Self, serde_json::Error> {
        Ok(Self {
            payload: record.payload()?,
            record,
            lease: None,
        })
    }
}

/// Two actions are equal when their records and payloads are.
impl PartialEq for Action {
    fn eq(&self, other: &Self) -> bool {
        self.payload == other.payload && self.record == other.record
    }
}

impl Deref for Action {
    type Target = pb::Action;

    fn deref(&self) -> &pb::Action {
        &self.record
    }
}

/// What a successful handler reports; becomes the CompleteRequest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completion {
    /// Reference to the outcome, stored as the action's `result_ref`.
    pub result_ref: String,
    /// Structured outcome (a JSON object), stored as the action's `result_json`.
    pub result: Option<Value>,
}

impl Completion {
    /// A completion with a result reference and no structured result.
    pub fn new(result_ref: impl Into<String>) -> Self {
        Self {
            result_ref: result_ref.into(),
            result: None,
        }
    }

    /// Adds a structured result, a JSON object (`json!({...})`, or `serde_json::to_value(x)?` for
    /// any `Serialize`). The server fails the completion of anything else (INVALID_FIELD).
    pub fn with_result(mut self, result: Value) -> Self {
        self.result = Some(result);
        self
    }

    fn into_request(self, id: i64, lease_token: String) -> CompleteRequest {
        CompleteRequest {
            id,
            lease_token,
            result_ref: self.result_ref,
            result_json: self.result.map_or_else(String::new, |v| v.to_string()),
            actor: String::new(),
        }
    }
}

/// Claims actions of one queue and runs a handler on each. Configure it with the setters, then
/// call [`run`](Worker::run).
#[derive(Clone, Debug)]
pub struct Worker {
    client: Client,
    name: String,
    queue: String,
    queues: Vec<String>,
    action_types: Vec<String>,
    project: String,
    concurrency: usize,
    lease: Duration,
    wait: Duration,
    complete_batch_window: Duration,
}

impl Worker {
    /// A worker named `name` (recorded as `claimed_by`) on the default queue, any action type and
    /// project, one action at a time, 30 s leases, 30 s long-polls and a 2 ms completion window.
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Self {
            client,
            name: name.into(),
            queue: String::new(),
            queues: Vec::new(),
            action_types: Vec::new(),
            project: String::new(),
            concurrency: 1,
            lease: Duration::from_secs(30),
            wait: Duration::from_secs(30),
            complete_batch_window: Duration::from_millis(2),
        }
    }

    /// Claims from this queue instead of "default".
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = queue.into();
        self
    }

    /// Claims from all of these queues in one claim order (paused ones are skipped); `queue`, if
    /// set, must be one of them.
    pub fn queues<I, S>(mut self, queues: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.queues = queues.into_iter().map(Into::into).collect();
        self
    }

    /// Claims only these action types.
    pub fn action_types<I, S>(mut self, action_types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.action_types = action_types.into_iter().map(Into::into).collect();
        self
    }

    /// Claims only actions of this project.
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = project.into();
        self
    }

    /// Runs up to this many handlers at once (1 to 1000); one Claim may fetch several actions.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.clamp(1, 1000);
        self
    }

    /// Lease taken by Claim and renewed by every heartbeat (at least 1 s).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_secs(1));
        self
    }

    /// How long one Claim waits for work to arrive (1 s to 60 s). The server answers as soon as
    /// work arrives, so a long wait costs nothing; the floor keeps an idle worker from spinning.
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait.clamp(Duration::from_secs(1), Duration::from_secs(60));
        self
    }

    /// How long a completion waits in the outbox for others to share its CompleteMany (default
    /// 2 ms, at most 1 s). Zero still batches whatever is queued when the outbox sends.
    pub fn complete_batch_window(mut self, window: Duration) -> Self {
        self.complete_batch_window = window.min(Duration::from_secs(1));
        self
    }

    /// Claims and handles actions until `shutdown` is cancelled, then waits for the in-flight
    /// handlers, sends the completions still in the outbox and returns `Ok`. Transient errors
    /// (UNAVAILABLE and the like) are retried with backoff; a Claim error that retrying cannot fix
    /// (e.g. INVALID_ARGUMENT, UNAUTHENTICATED) ends the loop and is returned once the in-flight
    /// handlers are done and the outbox is sent.
    ///
    /// The handler gets the action and a token that is cancelled when the action was cancelled
    /// by an operator or the lease was lost; it should then stop soon. Its result is not reported.
    /// A Claim in flight when `shutdown` fires is abandoned: whatever it might have claimed
    /// returns to the queue when its lease expires.
    pub async fn run<H, F>(self, shutdown: CancellationToken, handler: H) -> Result<(), Error>
    where
        H: Fn(Action, CancellationToken) -> F + Send + Sync + 'static,
        F: Future<Output = Result<Completion, HandlerError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let slots = Arc::new(Semaphore::new(self.concurrency));
        // A report holds one of these from its handler's return until the server has answered it.
        let reports = Arc::new(Semaphore::new(self.concurrency));
        let outbox = Outbox::start(self.client.clone(), self.complete_batch_window);
        let tasks = TaskTracker::new();
        let mut backoff = Backoff::default();
        let outcome = loop {
            let mut permits = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break Ok(()),
                permit = Arc::clone(&slots).acquire_owned() => vec![permit.expect("the semaphore is never closed")],
            };
            while let Ok(permit) = Arc::clone(&slots).try_acquire_owned() {
                permits.push(permit);
            }
            let claimed = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break Ok(()),
                claimed = self.client.claim(self.claim_request(permits.len())) => claimed,
            };
            match claimed {
                Ok(response) => {
                    backoff.reset();
                    for (claimed, permit) in response.actions.into_iter().zip(permits.drain(..)) {
                        let job = Job {
                            client: self.client.clone(),
                            lease: self.lease,
                            claimed,
                            slot: Some(permit),
                            reports: Arc::clone(&reports),
                            outbox: outbox.sender(),
                        };
                        tasks.spawn(job.run(Arc::clone(&handler)));
                    }
                }
                Err(err) if is_transient(err.code()) => {
                    let delay = backoff.next();
                    tracing::warn!(%err, ?delay, "actionq claim failed; retrying");
                    tokio::select! {
                        _ = shutdown.cancelled() => break Ok(()),
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
                Err(err) => break Err(err),
            }
        };
        tasks.close();
        tasks.wait().await;
        // Every job has returned, so every completion is in the outbox.
        outbox.flush().await;
        outcome
    }

    fn claim_request(&self, max_actions: usize) -> ClaimRequest {
        ClaimRequest {
            worker: self.name.clone(),
            queue: self.queue.clone(),
            action_types: self.action_types.clone(),
            project: self.project.clone(),
            max_actions: i32::try_from(max_actions).unwrap_or(1000),
            lease: Some(proto_duration(self.lease)),
            wait: Some(proto_duration(self.wait)),
            queues: self.queues.clone(),
        }
    }
}

/// Returns a token that is cancelled on Ctrl-C (SIGINT) or SIGTERM. Call it inside a tokio runtime.
pub fn shutdown_on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        cancel.cancel();
    });
    token
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// One claimed action: the handler's task, the heartbeats, and the final report.
struct Job {
    client: Client,
    lease: Duration,
    claimed: ClaimedAction,
    /// The handler slot; freed as soon as the handler returns.
    slot: Option<OwnedSemaphorePermit>,
    reports: Arc<Semaphore>,
    outbox: mpsc::UnboundedSender<Pending>,
}

impl Job {
    async fn run<H, F>(mut self, handler: Arc<H>)
    where
        H: Fn(Action, CancellationToken) -> F + Send + Sync + 'static,
        F: Future<Output = Result<Completion, HandlerError>> + Send + 'static,
    {
        let record = self.claimed.action.clone().unwrap_or_default();
        let id = record.id;
        let mut action = match Action::from_record(record) {
            Ok(action) => action,
            Err(err) => {
                let report = self.take_report_place().await;
                let reason = format!("the payload is not valid JSON: {err}");
                self.fail(HandlerError::fail(reason), report).await;
                return;
            }
        };
        let stop = CancellationToken::new();
        action.lease = Some(Lease {
            client: self.client.clone(),
            token: self.claimed.lease_token.clone(),
            length: self.lease,
            stop: stop.clone(),
            sleeps: Arc::default(),
        });
        let mut handler_task = tokio::spawn(handler(action, stop.clone()));

        let period = self.lease / 3;
        let mut beats = interval_at(Instant::now() + period, period);
        beats.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let outcome = loop {
            tokio::select! {
                joined = &mut handler_task => break joined,
                _ = beats.tick(), if !stop.is_cancelled() => {
                    if let Some(why) = self.heartbeat().await {
                        tracing::info!(id, why, "actionq action abandoned; cancelling its handler");
                        stop.cancel();
                    }
                }
            }
        };
        // Cancelled: the action is no longer ours (cancelled, lease lost, or suspended to wait).
        if stop.is_cancelled() || matches!(&outcome, Ok(Err(error)) if error.is_suspended()) {
            return;
        }
        let report = self.take_report_place().await;
        match outcome {
            Ok(Ok(completion)) => self.complete(completion, report),
            Ok(Err(error)) => self.fail(error, report).await,
            Err(join_error) if join_error.is_panic() => {
                let reason = format!("handler panicked: {}", panic_text(join_error.into_panic()));
                self.fail(HandlerError::fail(reason), report).await;
            }
            Err(_) => {
                let reason = "handler task was aborted";
                self.fail(HandlerError::fail(reason), report).await
            }
        }
    }

    /// Takes a report permit, then frees the handler slot: once `concurrency` reports are in
    /// flight, a slow server holds back the next Claim instead of letting reports pile up.
    async fn take_report_place(&mut self) -> OwnedSemaphorePermit {
        let report = Arc::clone(&self.reports)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        self.slot = None;
        report
    }

    /// Extends the lease; returns why to stop when the action is no longer ours.
    async fn heartbeat(&self) -> Option<&'static str> {
        let request = HeartbeatRequest {
            id: self.id(),
            lease_token: self.claimed.lease_token.clone(),
            lease: Some(proto_duration(self.lease)),
            ..HeartbeatRequest::default()
        };
        match self.client.heartbeat(request).await {
            Ok(response) if response.cancelled => Some("cancelled"),
            Ok(_) => None,
            Err(err) if is_transient(err.code()) => {
                tracing::warn!(id = self.id(), %err, "actionq heartbeat failed; will retry");
                None
            }
            Err(err) => {
                tracing::warn!(id = self.id(), %err, "actionq lease lost");
                Some("lease lost")
            }
        }
    }

    /// Queues the completion; the outbox sends it and then releases `report`.
    fn complete(&self, completion: Completion, report: OwnedSemaphorePermit) {
        let request = completion.into_request(self.id(), self.claimed.lease_token.clone());
        let pending = Pending { request, report };
        if self.outbox.send(pending).is_err() {
            tracing::warn!(
                id = self.id(),
                "actionq complete failed: the outbox has stopped"
            );
        }
    }

    /// Fails the action with one Fail RPC (with the retry the error asks for), or rejects it with
    /// one Reject, holding `_report` until it is answered.
    async fn fail(&self, error: HandlerError, _report: OwnedSemaphorePermit) {
        match error.into_report(self.id(), self.claimed.lease_token.clone()) {
            Report::Fail(request) => {
                let outcome = retry_transient(|| self.client.fail(request.clone())).await;
                if let Err(err) = outcome {
                    tracing::warn!(id = self.id(), %err, "actionq fail failed");
                }
            }
            Report::Reject(request) => {
                let outcome = retry_transient(|| self.client.reject(request.clone())).await;
                if let Err(err) = outcome {
                    tracing::warn!(id = self.id(), %err, "actionq reject failed");
                }
            }
        }
    }

    fn id(&self) -> i64 {
        self.claimed.action.as_ref().map_or(0, |a| a.id)
    }
}

/// Most completions one CompleteMany may carry.
const MAX_BATCH: usize = 1000;

/// A completion waiting in the outbox. Its permit counts it as a report in flight until the server
/// has answered the batch that carried it.
struct Pending {
    request: CompleteRequest,
    report: OwnedSemaphorePermit,
}

/// Sends the completions of finished handlers in CompleteMany batches, from one task: a
/// completion waits up to the window for others to share its RPC, and those that arrive while a
/// batch is in flight go together in the next one. A batch never names an id twice (see
/// [`next_batch`]). The queue needs no bound of its own: the report permits keep it at
/// `concurrency` (at most 1000, one batch) items.
struct Outbox {
    queue: mpsc::UnboundedSender<Pending>,
    flush: CancellationToken,
    task: JoinHandle<()>,
}

impl Outbox {
    fn start(client: Client, window: Duration) -> Self {
        let (queue, pending) = mpsc::unbounded_channel();
        let flush = CancellationToken::new();
        let send = move |batch| {
            let client = client.clone();
            async move { send_batch(&client, batch).await }
        };
        let task = tokio::spawn(send_batches(send, pending, window, flush.clone()));
        Self { queue, flush, task }
    }

    fn sender(&self) -> mpsc::UnboundedSender<Pending> {
        self.queue.clone()
    }

    /// Sends what is queued without waiting out the window and returns once it was answered.
    /// Call it when no job can queue any more (the task ends when the last sender is gone).
    async fn flush(self) {
        self.flush.cancel();
        drop(self.queue);
        if let Err(err) = self.task.await {
            tracing::error!(%err, "actionq outbox task failed");
        }
    }
}

/// The outbox's loop: gathers what `queue` delivers and hands it to `send` one batch at a time
/// (a CompleteMany with [`send_batch`]; a fake in the unit tests). Items held back from a batch
/// (a repeated id) go first in the next one, which is sent at once.
async fn send_batches<S, Fut>(
    mut send: S,
    mut queue: mpsc::UnboundedReceiver<Pending>,
    window: Duration,
    flush: CancellationToken,
) where
    S: FnMut(Vec<Pending>) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut queued = Vec::new();
    loop {
        if queued.is_empty() {
            if queue.recv_many(&mut queued, MAX_BATCH).await == 0 {
                return;
            }
            if !window.is_zero() && queued.len() < MAX_BATCH {
                tokio::select! {
                    _ = tokio::time::sleep(window) => {}
                    _ = flush.cancelled() => {}
                }
            }
        }
        while queued.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(pending) => queued.push(pending),
                Err(_) => break,
            }
        }
        send(next_batch(&mut queued)).await;
    }
}

/// Takes from `queued` up to [`MAX_BATCH`] items with distinct ids, in queue order; the rest stay
/// in `queued`, in order. The server refuses a whole CompleteMany that names an id twice, which
/// can happen when a lease expired, the action was requeued and this worker claimed it again
/// before its first completion went out.
fn next_batch(queued: &mut Vec<Pending>) -> Vec<Pending> {
    let mut ids = HashSet::with_capacity(queued.len());
    let (batch, rest) = std::mem::take(queued)
        .into_iter()
        .partition(|p| ids.len() < MAX_BATCH && ids.insert(p.request.id));
    *queued = rest;
    batch
}

/// Sends one CompleteMany and logs each refused item as a failed Complete would be logged. When
/// the RPC itself fails (after the transient retries) every item gets its error: their leases
/// expire and the server requeues those actions.
async fn send_batch(client: &Client, batch: Vec<Pending>) {
    let (completions, reports): (Vec<_>, Vec<_>) =
        batch.into_iter().map(|p| (p.request, p.report)).unzip();
    let request = CompleteManyRequest { completions };
    match retry_transient(|| client.complete_many(request.clone())).await {
        Ok(response) => {
            for failure in response.failures {
                let reason = Reason::from_name(&failure.reason);
                tracing::warn!(id = failure.id, code = %failure.code, %reason, message = %failure.message, "actionq complete failed");
            }
        }
        Err(err) => {
            for completion in &request.completions {
                tracing::warn!(id = completion.id, %err, "actionq complete failed");
            }
        }
    }
    // Answered: these reports are no longer in flight.
    drop(reports);
}

/// Retries a lease-fenced call on transient errors: a repeat after an unseen success is refused
/// with FAILED_PRECONDITION and changes nothing.
async fn retry_transient<T, F, Fut>(mut call: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut backoff = Backoff::default();
    let mut attempts = 1;
    loop {
        match call().await {
            Err(err) if is_transient(err.code()) && attempts < 4 => {
                attempts += 1;
                tokio::time::sleep(backoff.next()).await;
            }
            outcome => return outcome,
        }
    }
}

fn panic_text(payload: Box<dyn Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "non-text panic payload".to_owned()
    }
}

/// Exponential backoff from 200 ms to 10 s.
#[derive(Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn next(&mut self) -> Duration {
        let delay = Duration::from_millis(200) * 2u32.saturating_pow(self.failures.min(6));
        self.failures += 1;
        delay.min(Duration::from_secs(10))
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// The outbox's loop with a fake sender in place of the CompleteMany client: ids 1, 2, 1, 3, 1
    /// (one action claimed three times after lost leases) go out in batches that never name an id
    /// twice, all five are sent, queue order is kept, and every report permit is released.
    #[tokio::test]
    async fn outbox_never_puts_an_id_twice_in_a_batch() {
        let ids = [1, 2, 1, 3, 1];
        let permits = Arc::new(Semaphore::new(ids.len()));
        let (queue, pending) = mpsc::unbounded_channel();
        for id in ids {
            let report = Arc::clone(&permits).try_acquire_owned().unwrap();
            let request = CompleteRequest {
                id,
                lease_token: format!("lease-{id}"),
                ..CompleteRequest::default()
            };
            queue.send(Pending { request, report }).unwrap();
        }
        drop(queue);

        let sent = Arc::new(Mutex::new(Vec::<Vec<i64>>::new()));
        let record = Arc::clone(&sent);
        let send = move |batch: Vec<Pending>| {
            record
                .lock()
                .unwrap()
                .push(batch.iter().map(|p| p.request.id).collect());
            async {}
        };
        let window = Duration::from_millis(2);
        tokio::time::timeout(
            Duration::from_secs(5),
            send_batches(send, pending, window, CancellationToken::new()),
        )
        .await
        .expect("the outbox sends everything and returns once its senders are gone");

        let sent = sent.lock().unwrap().clone();
        for batch in &sent {
            let distinct: HashSet<_> = batch.iter().collect();
            assert_eq!(
                distinct.len(),
                batch.len(),
                "a batch names an id twice: {sent:?}"
            );
        }
        let mut all: Vec<i64> = sent.concat();
        all.sort_unstable();
        assert_eq!(all, vec![1, 1, 1, 2, 3], "not all five were sent: {sent:?}");
        assert_eq!(sent, vec![vec![1, 2, 3], vec![1], vec![1]]);
        assert_eq!(permits.available_permits(), ids.len());
    }

    #[test]
    fn a_handler_gets_the_payload_decoded_and_the_record_through_deref() {
        #[derive(serde::Deserialize)]
        struct Resize {
            width: u64,
        }
        let record = pb::Action {
            id: 7,
            target_ref: "img:1".to_owned(),
            payload_json: r#"{"width": 18446744073709551615, "id": 9007199254740993}"#.to_owned(),
            ..Default::default()
        };
        let action = Action::from_record(record).unwrap();
        assert_eq!((action.id, action.target_ref.as_str()), (7, "img:1"));
        assert_eq!(action.payload["id"].to_string(), "9007199254740993");
        assert_eq!(action.payload::<Resize>().unwrap().width, u64::MAX);

        let broken = pb::Action {
            payload_json: "{".to_owned(),
            ..Default::default()
        };
        assert!(Action::from_record(broken).is_err());
    }

    #[test]
    fn a_completion_carries_its_result_as_json_text() {
        let request = Completion::new("done")
            .with_result(serde_json::json!({"n": u64::MAX}))
            .into_request(3, "lease".to_owned());
        assert_eq!(request.result_json, r#"{"n":18446744073709551615}"#);
        assert_eq!((request.id, request.lease_token.as_str()), (3, "lease"));
        let bare = Completion::new("done").into_request(3, String::new());
        assert_eq!(bare.result_json, "");
    }

    #[test]
    fn next_batch_keeps_the_cap_and_the_order() {
        let permits = Arc::new(Semaphore::new(MAX_BATCH + 2));
        let pending = |id| Pending {
            request: CompleteRequest {
                id,
                ..CompleteRequest::default()
            },
            report: Arc::clone(&permits).try_acquire_owned().unwrap(),
        };
        let mut queued: Vec<Pending> = (1..=MAX_BATCH as i64 + 1).map(pending).collect();
        queued.insert(1, pending(1));
        let batch = next_batch(&mut queued);
        let want: Vec<i64> = (1..=MAX_BATCH as i64).collect();
        assert_eq!(batch.iter().map(|p| p.request.id).collect::<Vec<_>>(), want);
        let rest: Vec<i64> = queued.iter().map(|p| p.request.id).collect();
        assert_eq!(rest, vec![1, MAX_BATCH as i64 + 1]);
    }
}
