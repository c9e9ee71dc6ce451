//! Runs the shared conformance scenario (tests/conformance/scenario.json) against a live server,
//! or, with `--worker`, the live check of the worker helper.
//!
//! Usage: `conformance SCENARIO_PATH` or `conformance --worker`, with `ACTIONQ_SERVER`,
//! `ACTIONQ_CONFORMANCE_PROJECT` and `ACTIONQ_CONFORMANCE_CREATED_BY` in the environment, and the
//! client's own settings (`ACTIONQ_TOKEN`, `ACTIONQ_CA_FILE`, ...; `ClientOptions::from_env`);
//! the `denied` steps read the token named by `token_env` (`ACTIONQ_CONFORMANCE_WORKER_TOKEN`). The
//! scenario prints `ok <name>` or `FAIL <name>: <why>` per step and exits 0 iff every step
//! passed; the worker check prints one summary line and exits 0 iff it passed.
//!
//! The scenario is read with the crate's lossless JSON decoding (serde_json with
//! `arbitrary_precision`), and JSON payloads and results are compared as values: integers digit
//! for digit, fractions as doubles, key order ignored.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actionq::pb;
use actionq::{
    Action, ActionStatus, CancellationToken, Client, ClientOptions, Completion, Error,
    HandlerError, SignalOptions, WaitOptions, Worker,
};
use serde_json::{json, Number, Value};
use tonic::Code;

const WORKER: &str = "conformance-rust";

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = if std::env::args().nth(1).as_deref() == Some("--worker") {
        match worker_check().await {
            Ok(true) => match outcomes_check().await {
                Ok(true) => match checkpoints_check().await {
                    Ok(true) => waiting_check().await,
                    other => other,
                },
                other => other,
            },
            other => other,
        }
    } else {
        run().await
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("conformance: {err}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: conformance SCENARIO_PATH")?;
    let project = std::env::var("ACTIONQ_CONFORMANCE_PROJECT")
        .map_err(|_| "ACTIONQ_CONFORMANCE_PROJECT is not set")?;
    let created_by = std::env::var("ACTIONQ_CONFORMANCE_CREATED_BY")
        .map_err(|_| "ACTIONQ_CONFORMANCE_CREATED_BY is not set")?;

    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut scenario: Value = serde_json::from_str(&text)?;
    substitute(&mut scenario, &project, &created_by);
    let action_type = scenario["action_type"]
        .as_str()
        .ok_or("the scenario has no action_type")?
        .to_owned();
    let steps = scenario["steps"]
        .as_array()
        .ok_or("the scenario has no steps")?
        .clone();

    let client = ClientOptions::from_env().connect().await?;
    let mut runner = Runner {
        client,
        project,
        created_by,
        action_type,
        ids: HashMap::new(),
        leases: HashMap::new(),
    };
    let (mut passed, mut failed) = (0, 0);
    for step in &steps {
        let name = step["name"].as_str().unwrap_or("<unnamed>");
        match runner.step(step).await {
            Ok(()) => {
                passed += 1;
                println!("ok {name}");
            }
            Err(why) => {
                failed += 1;
                println!("FAIL {name}: {why}");
            }
        }
    }
    eprintln!("conformance-rust: {passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// How many actions the worker check enqueues, and how the worker runs them.
const WORKER_ACTIONS: usize = 300;
const WORKER_CONCURRENCY: usize = 16;
const WORKER_LEASE: Duration = Duration::from_secs(30);

/// The live check of the worker helper: enqueues 300 actions of a fresh type, runs a `Worker`
/// until each was handled, stops it gracefully and checks through ListActions that every action
/// ended as its handler said (one returns an error and must end FAILED, the others COMPLETED with
/// their payload echoed as result, big integers intact) and that the handler ran exactly once per
/// action. Prints one line (never `ok `/`FAIL ` lines,
/// which belong to the scenario).
async fn worker_check() -> Result<bool, Box<dyn std::error::Error>> {
    let project = std::env::var("ACTIONQ_CONFORMANCE_PROJECT")
        .map_err(|_| "ACTIONQ_CONFORMANCE_PROJECT is not set")?;
    let created_by = std::env::var("ACTIONQ_CONFORMANCE_CREATED_BY")
        .map_err(|_| "ACTIONQ_CONFORMANCE_CREATED_BY is not set")?;
    let action_type = format!(
        "conformance.worker.{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let client = ClientOptions::from_env().connect().await?;
    let began = Instant::now();

    let actions = (0..WORKER_ACTIONS)
        .map(|i| {
            pb::NewAction {
                action_type: action_type.clone(),
                project: project.clone(),
                created_by: created_by.clone(),
                target_ref: format!("item:{i}"),
                ..Default::default()
            }
            .with_payload(&worker_payload(i))
        })
        .collect::<Result<_, _>>()?;
    let ids: Vec<i64> = client
        .enqueue(pb::EnqueueRequest {
            actions,
            ..Default::default()
        })
        .await?
        .actions
        .into_iter()
        .filter_map(|e| e.action.map(|a| a.id))
        .collect();
    if ids.len() != WORKER_ACTIONS {
        return Err(format!("enqueued {} actions, asked for {WORKER_ACTIONS}", ids.len()).into());
    }
    let failing = ids[WORKER_ACTIONS / 2];
    const FAILURE: &str = "deliberate failure";

    // Handler runs per action id; `all_handled` fires once every id has run.
    let runs: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    let all_handled = Arc::new(tokio::sync::Notify::new());
    let shutdown = CancellationToken::new();
    let worker = Worker::new(client.clone(), "conformance-rust-worker")
        .action_types([action_type.clone()])
        .project(project.clone())
        .concurrency(WORKER_CONCURRENCY)
        .lease(WORKER_LEASE);
    let handler = {
        let (runs, all_handled) = (Arc::clone(&runs), Arc::clone(&all_handled));
        move |action: Action, _cancel: CancellationToken| {
            let mut runs = runs.lock().unwrap();
            let count = runs.entry(action.id).or_insert(0);
            *count += 1;
            if *count == 1 && runs.len() == WORKER_ACTIONS {
                all_handled.notify_one(); // keeps the permit if nobody waits yet
            }
            std::future::ready(if action.id == failing {
                Err(FAILURE.into())
            } else {
                let echo = json!({ "echo": action.payload });
                Ok(Completion::new(format!("done:{}", action.id)).with_result(echo))
            })
        }
    };
    let running = tokio::spawn(worker.run(shutdown.clone(), handler));
    let handled_in_time = tokio::time::timeout(Duration::from_secs(30), all_handled.notified())
        .await
        .is_ok();
    let handled_after = began.elapsed();
    // A graceful stop: `run` returns only after the outbox sent every completion.
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(10), running).await;
    let elapsed = began.elapsed();

    let mut problems = Vec::new();
    if !handled_in_time {
        let handled = runs.lock().unwrap().len();
        problems.push(format!(
            "only {handled} of {WORKER_ACTIONS} actions were handled within 30 s"
        ));
    }
    match stopped {
        Err(_) => problems.push("the worker did not stop within 10 s".to_owned()),
        Ok(Err(join_error)) => problems.push(format!("the worker task failed: {join_error}")),
        Ok(Ok(Err(err))) => problems.push(format!("the worker returned {err}")),
        Ok(Ok(Ok(()))) => {}
    }

    let runs = std::mem::take(&mut *runs.lock().unwrap());
    let wanted: HashSet<i64> = ids.iter().copied().collect();
    for (id, count) in &runs {
        if !wanted.contains(id) {
            problems.push(format!(
                "the handler ran for action {id}, which is not ours"
            ));
        } else if *count != 1 {
            problems.push(format!("the handler ran {count} times for action {id}"));
        }
    }

    let stored = list_all(&client, &project, &action_type).await?;
    let (mut completed, mut failed) = (0, 0);
    let mut commits = HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        let Some(action) = stored.get(id) else {
            problems.push(format!("action {id} is missing from ListActions"));
            continue;
        };
        if !runs.contains_key(id) {
            problems.push(format!("the handler never ran for action {id}"));
        }
        let status = action.status();
        if *id == failing {
            if status == ActionStatus::Failed && action.failure_reason == FAILURE {
                failed += 1;
            } else {
                problems.push(format!(
                    "action {id} (handler error) is {status:?} with reason {:?}, want Failed with {FAILURE:?}",
                    action.failure_reason
                ));
            }
        } else if status == ActionStatus::Completed && action.result_ref == format!("done:{id}") {
            let want = json!({ "echo": worker_payload(i) });
            match action.result::<Value>() {
                Ok(Some(got)) if same_json(&got, &want) => completed += 1,
                got => problems.push(format!("action {id} has result {got:?}, want {want}")),
            }
            // Completions committed together share completed_at (the transaction's now()).
            commits.insert(action.completed_at.map(|t| (t.seconds, t.nanos)));
        } else {
            problems.push(format!(
                "action {id} is {status:?} with result_ref {:?}, want Completed with \"done:{id}\"",
                action.result_ref
            ));
        }
    }

    if problems.is_empty() {
        println!(
            "worker check passed: {WORKER_ACTIONS} actions of {action_type} each handled once \
             (concurrency {WORKER_CONCURRENCY}), {completed} completed in {} commits, {failed} \
             failed, all handled after {:.2} s, worker stopped after {:.2} s",
            commits.len(),
            handled_after.as_secs_f64(),
            elapsed.as_secs_f64(),
        );
        return Ok(true);
    }
    println!(
        "worker check failed: {} problems ({completed} completed, {failed} failed of \
         {WORKER_ACTIONS}); first: {}",
        problems.len(),
        problems[..problems.len().min(5)].join("; ")
    );
    Ok(false)
}

/// The outcomes check: one action per way a handler can end besides completing plainly, each with
/// attempts to spare (max_attempts 3), so only the outcome asked for explains where it ends.
const OUTCOMES: [&str; 4] = ["reject", "no-retry", "retry-in", "progress"];
const REJECT_VALIDATOR: &str = "conformance-rust";
const REJECT_REASON: &str = "refused on purpose";
const NO_RETRY_REASON: &str = "permanent on purpose";
const RETRY_IN_REASON: &str = "try later";
const RETRY_DELAY: Duration = Duration::from_secs(3600);
/// Bounds |run_after - (updated_at + RETRY_DELAY)|: both are the database's time in one
/// transaction, so only rounding separates them.
const MAX_CLOCK_GAP: Duration = Duration::from_secs(2);

fn progress_report() -> Value {
    json!({ "done": 2, "of": 3, "big": (1u64 << 53) + 1 })
}

/// The live check of the other handler outcomes: a `Worker` rejects one action, fails one without
/// retry, fails one asking for a retry in an hour, and reports progress on one before completing
/// it. Then, through the API: rejected by the validator; failed on attempt 1 of 3; pending again
/// on attempt 1 with `run_after` = its `updated_at` + 1 h and an `action_retry_scheduled` event;
/// completed with its progress stored (already seen while its handler ran) and an
/// `action_progress` event. `wait` returns the three that ended. Prints one line.
async fn outcomes_check() -> Result<bool, Box<dyn std::error::Error>> {
    let project = std::env::var("ACTIONQ_CONFORMANCE_PROJECT")
        .map_err(|_| "ACTIONQ_CONFORMANCE_PROJECT is not set")?;
    let created_by = std::env::var("ACTIONQ_CONFORMANCE_CREATED_BY")
        .map_err(|_| "ACTIONQ_CONFORMANCE_CREATED_BY is not set")?;
    let action_type = format!(
        "conformance.outcomes.{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let client = ClientOptions::from_env().connect().await?;
    let began = Instant::now();
    let actions = OUTCOMES
        .iter()
        .map(|outcome| pb::NewAction {
            action_type: action_type.clone(),
            project: project.clone(),
            created_by: created_by.clone(),
            target_ref: (*outcome).to_owned(),
            max_attempts: 3,
            ..Default::default()
        })
        .collect();
    let ids: Vec<i64> = client
        .enqueue(pb::EnqueueRequest {
            actions,
            ..Default::default()
        })
        .await?
        .actions
        .into_iter()
        .filter_map(|e| e.action.map(|a| a.id))
        .collect();
    let id_of = |outcome: &str| ids[OUTCOMES.iter().position(|o| *o == outcome).unwrap()];

    let runs: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    let problems: Arc<Mutex<Vec<String>>> = Arc::default();
    let all_handled = Arc::new(tokio::sync::Notify::new());
    let shutdown = CancellationToken::new();
    let worker = Worker::new(client.clone(), "conformance-rust-outcomes")
        .action_types([action_type.clone()])
        .project(project.clone())
        .concurrency(OUTCOMES.len())
        .wait(Duration::from_secs(1));
    let handler = {
        let (runs, problems, all_handled) = (
            Arc::clone(&runs),
            Arc::clone(&problems),
            Arc::clone(&all_handled),
        );
        let reader = client.clone();
        move |action: Action, _cancel: CancellationToken| {
            let (runs, problems, all_handled) = (
                Arc::clone(&runs),
                Arc::clone(&problems),
                Arc::clone(&all_handled),
            );
            let reader = reader.clone();
            async move {
                let outcome = match action.target_ref.as_str() {
                    "reject" => Err(HandlerError::reject(REJECT_VALIDATOR, REJECT_REASON)),
                    "no-retry" => Err(HandlerError::no_retry(NO_RETRY_REASON)),
                    "retry-in" => Err(HandlerError::retry_in(RETRY_DELAY, RETRY_IN_REASON)),
                    "progress" => {
                        if let Some(problem) = report_progress(&reader, &action).await {
                            problems.lock().unwrap().push(problem);
                        }
                        Ok(Completion::new("done:progress"))
                    }
                    other => Err(HandlerError::no_retry(format!("unexpected action {other}"))),
                };
                let mut runs = runs.lock().unwrap();
                *runs.entry(action.id).or_insert(0) += 1;
                if runs.len() == OUTCOMES.len() {
                    all_handled.notify_one();
                }
                outcome
            }
        }
    };
    let running = tokio::spawn(worker.run(shutdown.clone(), handler));
    let handled_in_time = tokio::time::timeout(Duration::from_secs(30), all_handled.notified())
        .await
        .is_ok();
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(10), running).await;

    let mut problems = std::mem::take(&mut *problems.lock().unwrap());
    if !handled_in_time {
        problems.push("not every action was handled within 30 s".to_owned());
    }
    match stopped {
        Err(_) => problems.push("the worker did not stop within 10 s".to_owned()),
        Ok(Err(join_error)) => problems.push(format!("the worker task failed: {join_error}")),
        Ok(Ok(Err(err))) => problems.push(format!("the worker returned {err}")),
        Ok(Ok(Ok(()))) => {}
    }
    for (id, count) in runs.lock().unwrap().iter() {
        if *count != 1 {
            problems.push(format!("the handler ran {count} times for action {id}"));
        }
    }

    // The three that ended, in order; the retried one is pending for an hour.
    let ended = ["reject", "no-retry", "progress"].map(id_of);
    let waited = client.wait(ended, Duration::from_secs(10)).await?;
    let mut got: HashMap<&str, pb::Action> = ["reject", "no-retry", "progress"]
        .into_iter()
        .zip(waited)
        .collect();
    let retried = client
        .get_action(pb::GetActionRequest {
            id: id_of("retry-in"),
        })
        .await?
        .action
        .unwrap_or_default();
    got.insert("retry-in", retried);
    problems.extend(verify_outcomes(&got));
    for (outcome, event_type) in [
        ("retry-in", "action_retry_scheduled"),
        ("progress", "action_progress"),
    ] {
        // The log is readable up to its horizon, which a transaction still open anywhere on the
        // database holds back: wait (with a deadline) for the event to come into view.
        let deadline = Instant::now() + Duration::from_secs(10);
        let events = loop {
            let events = client
                .list_events(pb::ListEventsRequest {
                    action_ids: vec![id_of(outcome)],
                    event_types: vec![event_type.to_owned()],
                    page_size: 1000,
                    ..Default::default()
                })
                .await?
                .events;
            if !events.is_empty() || Instant::now() > deadline {
                break events;
            }
            // A poll interval, not a synchronisation.
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        if events.len() != 1 {
            problems.push(format!(
                "the {outcome} action has {} {event_type} events, want 1",
                events.len()
            ));
        }
    }
    // The retry is an hour away: cancel it rather than leave it behind.
    client
        .cancel(pb::CancelRequest {
            id: id_of("retry-in"),
            reason: "conformance: done with it".to_owned(),
            ..Default::default()
        })
        .await?;

    if problems.is_empty() {
        println!(
            "worker outcomes check passed in {:.2} s: rejected, failed without retry, \
             retried in {} s and progress seen on {action_type}",
            began.elapsed().as_secs_f64(),
            RETRY_DELAY.as_secs(),
        );
        return Ok(true);
    }
    println!(
        "worker outcomes check failed: {}",
        problems[..problems.len().min(5)].join("; ")
    );
    Ok(false)
}

/// The step the checkpoints check's first attempt saves; its state holds 2^53+1.
const CHECKPOINT_STEP: &str = "fetch";

/// The live check of checkpoints through the worker helper: one action whose handler, on attempt
/// 1, saves a checkpoint and fails with a retry delay of 0, and on attempt 2 reads the checkpoint
/// and completes with a result made from it. Checks on the server that the action completed on
/// attempt 2 with that result and that GetCheckpoints lists the step attempt 1 saved. One line.
async fn checkpoints_check() -> Result<bool, Box<dyn std::error::Error>> {
    let project = std::env::var("ACTIONQ_CONFORMANCE_PROJECT")
        .map_err(|_| "ACTIONQ_CONFORMANCE_PROJECT is not set")?;
    let created_by = std::env::var("ACTIONQ_CONFORMANCE_CREATED_BY")
        .map_err(|_| "ACTIONQ_CONFORMANCE_CREATED_BY is not set")?;
    let action_type = format!(
        "conformance.checkpoints.{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let client = ClientOptions::from_env().connect().await?;
    let began = Instant::now();
    let id = client
        .enqueue(pb::EnqueueRequest {
            actions: vec![pb::NewAction {
                action_type: action_type.clone(),
                project: project.clone(),
                created_by,
                target_ref: "checkpointed".to_owned(),
                max_attempts: 3,
                ..Default::default()
            }],
            ..Default::default()
        })
        .await?
        .actions
        .first()
        .and_then(|e| e.action.as_ref())
        .map(|a| a.id)
        .ok_or("enqueue returned no action")?;
    let state = json!({"n": 9007199254740993u64, "etag": "x1"});
    let problems: Arc<Mutex<Vec<String>>> = Arc::default();
    let shutdown = CancellationToken::new();
    let worker = Worker::new(client.clone(), "conformance-rust-checkpoints")
        .action_types([action_type.clone()])
        .project(project)
        .concurrency(1)
        .wait(Duration::from_secs(1));
    let handler = {
        let (problems, state) = (Arc::clone(&problems), state.clone());
        move |action: Action, _cancel: CancellationToken| {
            let (problems, state) = (Arc::clone(&problems), state.clone());
            async move {
                if action.attempt == 1 {
                    if let Err(err) = action.save_checkpoint(CHECKPOINT_STEP, &state).await {
                        problems
                            .lock()
                            .unwrap()
                            .push(format!("save_checkpoint: {err}"));
                        return Err(HandlerError::no_retry(err.to_string()));
                    }
                    return Err(HandlerError::retry_in(
                        Duration::ZERO,
                        "conformance: crash after the first step",
                    ));
                }
                let saved = action.checkpoints().await?;
                let Some(fetched) = saved.iter().find(|c| c.step == CHECKPOINT_STEP) else {
                    problems
                        .lock()
                        .unwrap()
                        .push(format!("attempt {} found no checkpoint", action.attempt));
                    return Err(HandlerError::no_retry("no checkpoint"));
                };
                let fetched: Value = fetched.state()?;
                Ok(Completion::new("resumed")
                    .with_result(json!({"n": fetched["n"], "resumed_on": action.attempt})))
            }
        }
    };
    let running = tokio::spawn(worker.run(shutdown.clone(), handler));
    let waited = client.wait([id], Duration::from_secs(20)).await;
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(10), running).await;

    let mut problems = std::mem::take(&mut *problems.lock().unwrap());
    match stopped {
        Err(_) => problems.push("the worker did not stop within 10 s".to_owned()),
        Ok(Err(join_error)) => problems.push(format!("the worker task failed: {join_error}")),
        Ok(Ok(Err(err))) => problems.push(format!("the worker returned {err}")),
        Ok(Ok(Ok(()))) => {}
    }
    match waited {
        Err(err) => problems.push(format!("wait for the checkpointed action: {err}")),
        Ok(actions) => {
            let action = actions.into_iter().next().unwrap_or_default();
            let result: Option<Value> = action.result().unwrap_or(None);
            let want = json!({"n": 9007199254740993u64, "resumed_on": 2});
            if action.status != pb::ActionStatus::Completed as i32
                || action.attempt != 2
                || !result.as_ref().is_some_and(|r| same_json(r, &want))
            {
                problems.push(format!(
                    "the action is {} on attempt {} with result {result:?}, want completed on \
                     attempt 2 with {want}",
                    status_name(Some(action.clone())),
                    action.attempt
                ));
            }
        }
    }
    let saved = client.checkpoints(id).await?;
    let listed: Vec<(String, i32, Value)> = saved
        .iter()
        .map(|c| (c.step.clone(), c.attempt, c.state().unwrap_or(Value::Null)))
        .collect();
    if listed.len() != 1
        || listed[0].0 != CHECKPOINT_STEP
        || listed[0].1 != 1
        || !same_json(&listed[0].2, &state)
    {
        problems.push(format!(
            "GetCheckpoints lists {listed:?}, want {CHECKPOINT_STEP} saved by attempt 1 with {state}"
        ));
    }
    if problems.is_empty() {
        println!(
            "worker checkpoints check passed in {:.2} s: attempt 1 saved {CHECKPOINT_STEP:?}, \
             attempt 2 resumed from it and completed ({action_type})",
            began.elapsed().as_secs_f64()
        );
        return Ok(true);
    }
    println!("worker checkpoints check failed: {}", problems.join("; "));
    Ok(false)
}

/// The waiting check: one action whose handler waits for a signal. Its first run is suspended
/// (the action shows waiting), the check sends the signal with a payload, and the re-run
/// completes with it. Verified: the signal woke the action, which completed on attempt 1 (waiting
/// uses no attempt) with the payload, after exactly two runs of the handler.
async fn waiting_check() -> Result<bool, Box<dyn std::error::Error>> {
    let project = std::env::var("ACTIONQ_CONFORMANCE_PROJECT")
        .map_err(|_| "ACTIONQ_CONFORMANCE_PROJECT is not set")?;
    let created_by = std::env::var("ACTIONQ_CONFORMANCE_CREATED_BY")
        .map_err(|_| "ACTIONQ_CONFORMANCE_CREATED_BY is not set")?;
    let suffix = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let action_type = format!("conformance.waiting.{suffix}");
    let signal = format!("workercheck:{project}:{suffix}");
    let client = ClientOptions::from_env().connect().await?;
    let began = Instant::now();
    let id = client
        .enqueue(pb::EnqueueRequest {
            actions: vec![pb::NewAction {
                action_type: action_type.clone(),
                project: project.clone(),
                created_by,
                target_ref: "waits".to_owned(),
                ..Default::default()
            }],
            ..Default::default()
        })
        .await?
        .actions
        .first()
        .and_then(|e| e.action.as_ref())
        .map(|a| a.id)
        .ok_or("enqueue returned no action")?;
    let runs = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let shutdown = CancellationToken::new();
    let worker = Worker::new(client.clone(), "conformance-rust-waiting")
        .action_types([action_type.clone()])
        .project(project)
        .concurrency(1)
        .wait(Duration::from_secs(1));
    let handler = {
        let (runs, signal) = (Arc::clone(&runs), signal.clone());
        move |action: Action, _cancel: CancellationToken| {
            let (runs, signal) = (Arc::clone(&runs), signal.clone());
            async move {
                runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // The first run returns here with a suspended HandlerError: nothing is reported.
                let wake = action.wait_for_signal(&signal, WaitOptions::new()).await?;
                Ok(Completion::new(wake.step)
                    .with_result(json!({"payload": wake.payload, "timed_out": wake.timed_out})))
            }
        }
    };
    let running = tokio::spawn(worker.run(shutdown.clone(), handler));
    let mut problems = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let action = client
            .get_action(pb::GetActionRequest { id })
            .await?
            .action
            .unwrap_or_default();
        if action.status == pb::ActionStatus::Waiting as i32 {
            break;
        }
        if Instant::now() > deadline {
            problems.push(format!(
                "the action is {}, never waiting",
                status_name(Some(action))
            ));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await; // poll interval
    }
    let payload = json!({"approved_by": "alice", "n": 9007199254740993u64});
    let mut waited = None;
    if problems.is_empty() {
        let sent = client
            .send_signal(signal.clone(), &payload, SignalOptions::default())
            .await?;
        if !sent.woken.contains(&id) {
            problems.push(format!("the signal woke {:?}, not {id}", sent.woken));
        }
        waited = Some(client.wait([id], Duration::from_secs(20)).await);
    }
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(10), running).await;
    match stopped {
        Err(_) => problems.push("the worker did not stop within 10 s".to_owned()),
        Ok(Err(join_error)) => problems.push(format!("the worker task failed: {join_error}")),
        Ok(Ok(Err(err))) => problems.push(format!("the worker returned {err}")),
        Ok(Ok(Ok(()))) => {}
    }
    match waited {
        None => {}
        Some(Err(err)) => problems.push(format!("wait for the woken action: {err}")),
        Some(Ok(actions)) => {
            let action = actions.into_iter().next().unwrap_or_default();
            let result: Option<Value> = action.result().unwrap_or(None);
            let want = json!({"payload": payload, "timed_out": false});
            if action.status != pb::ActionStatus::Completed as i32
                || action.attempt != 1
                || action.result_ref != format!("signal:{signal}")
                || !result.as_ref().is_some_and(|r| same_json(r, &want))
            {
                problems.push(format!(
                    "the action is {} on attempt {} with result {result:?} ({}), want completed \
                     on attempt 1 with {want}",
                    status_name(Some(action.clone())),
                    action.attempt,
                    action.result_ref
                ));
            }
        }
    }
    let runs = runs.load(std::sync::atomic::Ordering::Relaxed);
    if runs != 2 {
        problems.push(format!(
            "the handler ran {runs} times, want 2 (suspended, then woken)"
        ));
    }
    if problems.is_empty() {
        println!(
            "worker waiting check passed in {:.2} s: the handler suspended on {signal:?}, the \
             signal woke it and the re-run completed with its payload",
            began.elapsed().as_secs_f64()
        );
        return Ok(true);
    }
    println!("worker waiting check failed: {}", problems.join("; "));
    Ok(false)
}

/// Reports progress from the handler, then reads the action back while it is still claimed: the
/// progress must be on it already. Returns what is wrong.
async fn report_progress(client: &Client, action: &Action) -> Option<String> {
    if let Err(err) = action.report_progress(&progress_report()).await {
        return Some(format!("report_progress: {err}"));
    }
    let now = match client
        .get_action(pb::GetActionRequest { id: action.id })
        .await
    {
        Ok(response) => response.action.unwrap_or_default(),
        Err(err) => return Some(format!("get the action in progress: {err}")),
    };
    if now.status() != ActionStatus::Claimed || !has_progress(&now) {
        return Some(format!(
            "while its handler ran the action was {:?} with progress {:?}, want Claimed with {}",
            now.status(),
            now.progress_json,
            progress_report()
        ));
    }
    None
}

fn has_progress(action: &pb::Action) -> bool {
    matches!(action.progress::<Value>(), Ok(Some(got)) if same_json(&got, &progress_report()))
}

/// What is wrong with the outcomes' actions as they ended.
fn verify_outcomes(got: &HashMap<&str, pb::Action>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut bad = |outcome: &str, a: &pb::Action, want: String| {
        problems.push(format!(
            "the {outcome} action is {:?} (attempt {}, reason {:?}, run_after {:?}), want {want}",
            a.status(),
            a.attempt,
            a.failure_reason,
            a.run_after
        ));
    };
    let a = &got["reject"];
    if a.status() != ActionStatus::Rejected
        || a.rejected_by != REJECT_VALIDATOR
        || a.failure_reason != REJECT_REASON
        || a.attempt != 1
    {
        bad(
            "reject",
            a,
            format!("Rejected by {REJECT_VALIDATOR} on attempt 1"),
        );
    }
    let a = &got["no-retry"];
    if a.status() != ActionStatus::Failed || a.failure_reason != NO_RETRY_REASON || a.attempt != 1 {
        bad("no-retry", a, "Failed on attempt 1 of 3".to_owned());
    }
    let a = &got["retry-in"];
    let gap = match (a.run_after, a.updated_at) {
        (Some(run_after), Some(updated_at)) => {
            let nanos = |t: prost_types::Timestamp| {
                i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos)
            };
            let want = nanos(updated_at) + RETRY_DELAY.as_nanos() as i128;
            Some(Duration::from_nanos(
                (nanos(run_after) - want).unsigned_abs() as u64,
            ))
        }
        _ => None,
    };
    if a.status() != ActionStatus::Pending
        || a.attempt != 1
        || a.failure_reason != RETRY_IN_REASON
        || gap.is_none_or(|gap| gap > MAX_CLOCK_GAP)
    {
        bad(
            "retry-in",
            a,
            format!("Pending after attempt 1 with run_after {RETRY_DELAY:?} after its update (off by {gap:?})"),
        );
    }
    let a = &got["progress"];
    if a.status() != ActionStatus::Completed || !has_progress(a) {
        bad(
            "progress",
            a,
            format!(
                "Completed with progress {} (has {:?})",
                progress_report(),
                a.progress_json
            ),
        );
    }
    problems
}

/// The payload of the worker check's `i`th action: its number and integers a double cannot hold.
fn worker_payload(i: usize) -> Value {
    json!({ "item": i, "above_2_53": (1u64 << 53) + 1, "min_int64": i64::MIN })
}

/// Every action of this type in this project, by id (ListActions, page by page).
async fn list_all(
    client: &Client,
    project: &str,
    action_type: &str,
) -> Result<HashMap<i64, pb::Action>, Error> {
    let mut actions = HashMap::new();
    let mut page_token = String::new();
    loop {
        let page = client
            .list_actions(pb::ListActionsRequest {
                action_type: action_type.to_owned(),
                project: project.to_owned(),
                page_size: 1000,
                page_token,
                ..Default::default()
            })
            .await?;
        actions.extend(page.actions.into_iter().map(|a| (a.id, a)));
        if page.next_page_token.is_empty() {
            return Ok(actions);
        }
        page_token = page.next_page_token;
    }
}

/// Replaces `$PROJECT` and `$CREATED_BY` in every string of the scenario.
fn substitute(value: &mut Value, project: &str, created_by: &str) {
    match value {
        Value::String(s) => {
            *s = s
                .replace("$PROJECT", project)
                .replace("$CREATED_BY", created_by)
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| substitute(v, project, created_by)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| substitute(v, project, created_by)),
        _ => {}
    }
}

type StepResult = Result<(), String>;

struct Runner {
    client: Client,
    project: String,
    created_by: String,
    action_type: String,
    ids: HashMap<String, i64>,
    leases: HashMap<String, String>,
}

impl Runner {
    async fn step(&mut self, step: &Value) -> StepResult {
        match step["op"].as_str().unwrap_or_default() {
            "enqueue" => self.enqueue(step).await,
            "claim" => self.claim(step).await,
            "heartbeat" => {
                let mut request = pb::HeartbeatRequest {
                    id: self.id(step)?,
                    lease_token: self.lease(step)?,
                    lease: Some(millis(step, "lease_ms")),
                    ..Default::default()
                };
                if let Some(progress) = step.get("progress") {
                    request = request.with_progress(progress).map_err(|e| e.to_string())?;
                }
                let outcome = self.client.heartbeat(request).await;
                expect(step, outcome.map(|_| None))
            }
            "complete" => {
                let mut request = pb::CompleteRequest {
                    id: self.id(step)?,
                    lease_token: self.lease(step)?,
                    result_ref: text(step, "result_ref"),
                    ..Default::default()
                };
                if let Some(result) = step.get("result") {
                    request = request.with_result(result).map_err(|e| e.to_string())?;
                }
                let outcome = self.client.complete(request).await;
                expect_action(step, outcome.map(|r| r.action))
            }
            "fail" => {
                let request = pb::FailRequest {
                    id: self.id(step)?,
                    lease_token: self.lease(step)?,
                    reason: text(step, "reason"),
                    // Present means sent, 0 too: unset would mean the backoff.
                    retry_delay: step
                        .get("retry_delay_ms")
                        .map(|_| millis(step, "retry_delay_ms")),
                    no_retry: step["no_retry"].as_bool().unwrap_or(false),
                    ..Default::default()
                };
                let outcome = self.client.fail(request).await;
                expect_action(step, outcome.map(|r| r.action))
            }
            "reject" => {
                let request = pb::RejectRequest {
                    id: self.id(step)?,
                    lease_token: self.lease(step)?,
                    reason: text(step, "reason"),
                    validator: text(step, "validator"),
                };
                let outcome = self.client.reject(request).await;
                expect_action(step, outcome.map(|r| r.action))
            }
            "cancel" => {
                let request = pb::CancelRequest {
                    id: self.id(step)?,
                    reason: text(step, "reason"),
                    ..Default::default()
                };
                let outcome = self.client.cancel(request).await;
                expect_action(step, outcome.map(|r| r.action))
            }
            "get" => {
                let request = pb::GetActionRequest { id: self.id(step)? };
                let outcome = self.client.get_action(request).await;
                expect_action(step, outcome.map(|r| r.action))
            }
            "enqueue_retry" => self.enqueue_retry(step).await,
            "watch" => self.watch(step).await,
            "retry" => self.retry(step).await,
            "wait" => {
                let ids = self.ids_of(step)?;
                let timeout = Duration::from_millis(step["timeout_ms"].as_u64().unwrap_or(0));
                let outcome = self.client.wait(ids.clone(), timeout).await;
                let actions = outcome.as_ref().ok().cloned().unwrap_or_default();
                expect(step, outcome.map(|_| None))?;
                let got_ids: Vec<i64> = actions.iter().map(|a| a.id).collect();
                if !actions.is_empty() && got_ids != ids {
                    return Err(format!(
                        "actions {got_ids:?} came back, {ids:?} were asked for"
                    ));
                }
                let got: Vec<String> = actions.into_iter().map(|a| status_name(Some(a))).collect();
                let want = strings(&step["expect_statuses"]);
                if got != want {
                    return Err(format!("statuses {got:?}, want {want:?}"));
                }
                Ok(())
            }
            "save_checkpoint" => {
                let state = step.get("state").cloned().unwrap_or_else(|| json!({}));
                let outcome = self
                    .client
                    .checkpoint(
                        self.id(step)?,
                        self.lease(step)?,
                        text(step, "step"),
                        &state,
                    )
                    .await;
                let saved = outcome.as_ref().ok().cloned();
                expect(step, outcome.map(|_| None))?;
                if let Some(saved) = saved {
                    let got: Value = saved.state().map_err(|e| e.to_string())?;
                    if saved.step != text(step, "step") || !same_json(&got, &state) {
                        return Err(format!(
                            "saved {} with {got}, want {} with {state}",
                            saved.step,
                            text(step, "step")
                        ));
                    }
                }
                Ok(())
            }
            "get_checkpoints" => {
                let outcome = self.client.checkpoints(self.id(step)?).await;
                let got = outcome.as_ref().ok().cloned().unwrap_or_default();
                expect(step, outcome.map(|_| None))?;
                let steps: Vec<String> = got.iter().map(|c| c.step.clone()).collect();
                if step.get("expect_steps").is_some() && steps != strings(&step["expect_steps"]) {
                    return Err(format!(
                        "checkpoint steps {steps:?}, want {}",
                        step["expect_steps"]
                    ));
                }
                if let Some(want) = step["expect_attempts"].as_array() {
                    let attempts: Vec<i64> = got.iter().map(|c| i64::from(c.attempt)).collect();
                    let want: Vec<i64> = want.iter().filter_map(Value::as_i64).collect();
                    if attempts != want {
                        return Err(format!("checkpoint attempts {attempts:?}, want {want:?}"));
                    }
                }
                if let Some(want) = step["expect_state_fields"].as_array() {
                    if want.len() != got.len() {
                        return Err(format!("{} checkpoints, want {}", got.len(), want.len()));
                    }
                    for (checkpoint, want) in got.iter().zip(want) {
                        let state: Value = checkpoint.state().map_err(|e| e.to_string())?;
                        check_fields(&format!("state of {}", checkpoint.step), &state, want)?;
                    }
                }
                if let Some(want) = step["expect_states"].as_array() {
                    if want.len() != got.len() {
                        return Err(format!("{} checkpoints, want {}", got.len(), want.len()));
                    }
                    for (checkpoint, want) in got.iter().zip(want) {
                        let state: Value = checkpoint.state().map_err(|e| e.to_string())?;
                        if !same_json(&state, want) {
                            return Err(format!(
                                "state of {}: {state}, want {want}",
                                checkpoint.step
                            ));
                        }
                    }
                }
                Ok(())
            }
            "suspend" => {
                let timeout = step
                    .get("timeout_ms")
                    .and_then(Value::as_u64)
                    .map(Duration::from_millis);
                let outcome = self
                    .client
                    .suspend_action(
                        self.id(step)?,
                        self.lease(step)?,
                        text(step, "step"),
                        text(step, "signal"),
                        timeout,
                    )
                    .await;
                let response = outcome.as_ref().ok().cloned();
                expect(step, outcome.map(|r| Some(vec![status_name(r.action)])))?;
                let Some(response) = response else {
                    return Ok(());
                };
                if let Some(want) = step.get("expect_suspended").and_then(Value::as_bool) {
                    if response.suspended != want {
                        return Err(format!("suspended {}, want {want}", response.suspended));
                    }
                }
                if let Some(action) = &response.action {
                    check_json(step, action)?;
                }
                if let Some(want) = step.get("expect_wake") {
                    let wake = response
                        .wake
                        .as_ref()
                        .ok_or(format!("no wake-up, want {want}"))?;
                    let wake = actionq::WakeUp::from_proto(wake).map_err(|e| e.to_string())?;
                    if wake.step != text(step, "step") {
                        return Err(format!(
                            "wake-up of step {:?}, want {:?}",
                            wake.step,
                            text(step, "step")
                        ));
                    }
                    let got = json!({"signal": wake.signal, "payload": wake.payload, "timed_out": wake.timed_out});
                    check_fields("wake-up", &got, want)?;
                }
                Ok(())
            }
            "signal" => {
                let mode = match step["mode"].as_str() {
                    Some("one") => pb::SignalMode::One,
                    _ => pb::SignalMode::Broadcast,
                };
                let keep = step
                    .get("keep_ms")
                    .and_then(Value::as_u64)
                    .map(Duration::from_millis);
                let payload = step.get("payload").cloned().unwrap_or_else(|| json!({}));
                let options = SignalOptions {
                    mode,
                    keep,
                    ..SignalOptions::default()
                };
                let outcome = self
                    .client
                    .send_signal(text(step, "signal"), &payload, options)
                    .await;
                let response = outcome.as_ref().ok().cloned();
                expect(step, outcome.map(|_| None))?;
                let Some(response) = response else {
                    return Ok(());
                };
                if step.get("expect_woken").is_some() {
                    let mut got: Vec<String> =
                        response.woken.iter().map(|id| self.ref_of(*id)).collect();
                    let mut want = strings(&step["expect_woken"]);
                    got.sort();
                    want.sort();
                    if got != want {
                        return Err(format!("woke {got:?}, want {want:?}"));
                    }
                }
                if let Some(want) = step.get("expect_kept").and_then(Value::as_bool) {
                    if response.kept_until.is_some() != want {
                        return Err(format!(
                            "kept_until {:?}, want kept {want}",
                            response.kept_until
                        ));
                    }
                }
                Ok(())
            }
            "await_status" => {
                let id = self.id(step)?;
                let want = text(step, "expect_status");
                let timeout = step["timeout_ms"].as_u64().unwrap_or(10_000);
                let deadline = Instant::now() + Duration::from_millis(timeout);
                loop {
                    let action = self
                        .client
                        .get_action(pb::GetActionRequest { id })
                        .await
                        .map_err(|e| e.to_string())?
                        .action;
                    let got = status_name(action);
                    if got == want {
                        return Ok(());
                    }
                    if Instant::now() > deadline {
                        return Err(format!("still {got} after {timeout} ms, want {want}"));
                    }
                    // A poll interval, not a synchronisation.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            "denied" => self.denied(step).await,
            other => Err(format!("unknown op {other:?}")),
        }
    }

    /// A second client with the same server and TLS settings but the token of the environment
    /// variable `token_env` (none for ""), whose `call` must fail with `expect_reason`.
    async fn denied(&self, step: &Value) -> StepResult {
        let token_env = text(step, "token_env");
        let options = ClientOptions::from_env();
        let options = if token_env.is_empty() {
            options.no_token()
        } else {
            let token = std::env::var(&token_env)
                .ok()
                .filter(|t| !t.is_empty())
                .ok_or(format!("{token_env} is not set"))?;
            options.token(token)
        };
        let client = options.connect().await.map_err(|e| e.to_string())?;
        let outcome = match step["call"].as_str().unwrap_or_default() {
            "emit_event" => client
                .emit_event(pb::EmitEventRequest {
                    event_type: "coordinator_cycle".to_owned(),
                    actor: "conformance".to_owned(),
                    payload_json: "{}".to_owned(),
                    ..Default::default()
                })
                .await
                .map(|_| ()),
            other => return Err(format!("unknown call {other:?}")),
        };
        let want = text(step, "expect_reason");
        match outcome {
            Ok(()) => Err(format!("the call succeeded, want {want}")),
            Err(err) if err.reason().as_str() == want => Ok(()),
            Err(err) => Err(format!(
                "reason {:?}, want {want:?} ({err})",
                err.reason().as_str()
            )),
        }
    }

    /// The NewActions a step's `actions` describe; `payload_json` is sent verbatim.
    fn new_actions(&self, specs: &[Value]) -> Result<Vec<pb::NewAction>, String> {
        specs
            .iter()
            .map(|spec| {
                let action = pb::NewAction {
                    action_type: spec
                        .get("action_type")
                        .and_then(Value::as_str)
                        .unwrap_or(&self.action_type)
                        .to_owned(),
                    project: self.project.clone(),
                    created_by: self.created_by.clone(),
                    priority: spec["priority"].as_i64().unwrap_or(0) as i32,
                    target_ref: text(spec, "target_ref"),
                    source_refs: strings(&spec["source_refs"]),
                    payload_json: text(spec, "payload_json"),
                    max_attempts: spec["max_attempts"].as_i64().unwrap_or(0) as i32,
                    backoff: spec.get("backoff").map(backoff).transpose()?,
                    delay: spec.get("delay_ms").map(|_| millis(spec, "delay_ms")),
                    ..Default::default()
                };
                match spec.get("payload") {
                    Some(payload) => action.with_payload(payload).map_err(|e| e.to_string()),
                    None => Ok(action),
                }
            })
            .collect()
    }

    /// Binds each spec's `ref` to the id of the action enqueued for it.
    fn bind(&mut self, specs: &[Value], response: &pb::EnqueueResponse) -> StepResult {
        if response.actions.len() != specs.len() {
            return Err(format!(
                "enqueued {} actions, asked for {}",
                response.actions.len(),
                specs.len()
            ));
        }
        for (spec, enqueued) in specs.iter().zip(&response.actions) {
            if let (Some(r), Some(action)) = (spec["ref"].as_str(), &enqueued.action) {
                self.ids.insert(r.to_owned(), action.id);
            }
        }
        Ok(())
    }

    async fn enqueue(&mut self, step: &Value) -> StepResult {
        let specs = step["actions"].as_array().cloned().unwrap_or_default();
        let actions = self.new_actions(&specs)?;
        let outcome = self
            .client
            .enqueue(pb::EnqueueRequest {
                actions,
                ..Default::default()
            })
            .await;
        if let Ok(response) = &outcome {
            self.bind(&specs, response)?;
        }
        let enqueued: Vec<pb::Action> = match &outcome {
            Ok(response) => response
                .actions
                .iter()
                .filter_map(|e| e.action.clone())
                .collect(),
            Err(_) => Vec::new(),
        };
        expect(
            step,
            outcome.map(|r| {
                Some(
                    r.actions
                        .into_iter()
                        .map(|e| status_name(e.action))
                        .collect(),
                )
            }),
        )?;
        enqueued
            .iter()
            .try_for_each(|action| check_json(step, action))
    }

    /// Sends one Enqueue twice with the same request_id: the second must replay the first (same
    /// ids, `replayed`), and each action must exist once.
    async fn enqueue_retry(&mut self, step: &Value) -> StepResult {
        let specs = step["actions"].as_array().cloned().unwrap_or_default();
        let request = pb::EnqueueRequest {
            actions: self.new_actions(&specs)?,
            request_id: uuid::Uuid::new_v4().to_string(),
            ..Default::default()
        };
        let first = match self.client.enqueue(request.clone()).await {
            Ok(first) => first,
            Err(err) => return expect(step, Err(err)),
        };
        let second = self.client.enqueue(request).await;
        let second = match second {
            Ok(second) => second,
            Err(err) => return expect(step, Err(err)),
        };
        expect(step, Ok(None))?;
        self.bind(&specs, &first)?;
        let ids = |r: &pb::EnqueueResponse| -> Vec<i64> {
            r.actions
                .iter()
                .map(|e| e.action.as_ref().map_or(0, |a| a.id))
                .collect()
        };
        if first.replayed || !second.replayed {
            return Err(format!(
                "replayed {} then {}, want false then true",
                first.replayed, second.replayed
            ));
        }
        if ids(&first) != ids(&second) {
            return Err(format!(
                "the retry returned ids {:?}, the first call {:?}",
                ids(&second),
                ids(&first)
            ));
        }
        let stored = list_all(&self.client, &self.project, &self.action_type)
            .await
            .map_err(|e| format!("ListActions: {e}"))?;
        for spec in &specs {
            let Some(want) = spec.get("payload") else {
                continue;
            };
            let copies = stored
                .values()
                .filter(|a| a.payload::<Value>().is_ok_and(|got| same_json(&got, want)))
                .count();
            if copies != 1 {
                return Err(format!("{copies} actions have payload {want}, want 1"));
            }
        }
        Ok(())
    }

    async fn claim(&mut self, step: &Value) -> StepResult {
        let request = pb::ClaimRequest {
            worker: WORKER.to_owned(),
            project: self.project.clone(),
            action_types: vec![step["action_type"]
                .as_str()
                .map_or_else(|| self.action_type.clone(), str::to_owned)],
            max_actions: step["max_actions"].as_i64().unwrap_or(1) as i32,
            wait: Some(millis(step, "wait_ms")),
            lease: Some(millis(step, "lease_ms")),
            ..Default::default()
        };
        let outcome = self.client.claim(request).await;
        let response = match outcome {
            Ok(response) => response,
            Err(status) => return expect(step, Err(status)),
        };
        expect(step, Ok(None))?;
        let mut got = Vec::new();
        for claimed in response.actions {
            let id = claimed.action.map_or(0, |a| a.id);
            let r = self.ref_of(id);
            self.leases.insert(r.clone(), claimed.lease_token);
            got.push(r);
        }
        let want: Vec<String> = strings(&step["expect_refs"]);
        if got != want {
            return Err(format!("claimed {got:?}, want {want:?}"));
        }
        Ok(())
    }

    async fn watch(&mut self, step: &Value) -> StepResult {
        let refs = strings(&step["refs"]);
        let action_ids = refs
            .iter()
            .map(|r| self.ids.get(r).copied().ok_or(format!("unknown ref {r:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        let want: Vec<(String, String)> = step["expect_events"]
            .as_array()
            .map(|events| {
                events
                    .iter()
                    .map(|pair| (text(&pair[0], ""), text(&pair[1], "")))
                    .collect()
            })
            .unwrap_or_default();
        let timeout = Duration::from_millis(step["timeout_ms"].as_u64().unwrap_or(10_000));
        let request = pb::WatchEventsRequest {
            after_cursor: text(step, "after_cursor"),
            action_ids,
            ..Default::default()
        };

        // Cursors are opaque: only checked to be there, never ordered.
        let mut got: Vec<(String, String)> = Vec::new();
        let mut seen = HashSet::new();
        let read = async {
            let mut stream = self
                .client
                .watch_events(request)
                .await
                .map_err(|e| e.to_string())?;
            while got.len() < want.len() {
                let message = stream
                    .message()
                    .await
                    .map_err(|e| Error::from(e).to_string())?
                    .ok_or("the stream ended early")?;
                if message.cursor.is_empty() {
                    return Err("a message without a cursor".to_owned());
                }
                for event in message.events {
                    if !seen.insert(event.id) {
                        return Err(format!("event {} delivered twice", event.id));
                    }
                    got.push((self.ref_of(event.action_id), event.event_type));
                }
            }
            Ok::<(), String>(())
        };
        match tokio::time::timeout(timeout, read).await {
            Err(_) => Err(format!(
                "timed out after {timeout:?} with {} of {} events: {got:?}",
                got.len(),
                want.len()
            )),
            Ok(Err(why)) => Err(why),
            Ok(Ok(())) if got != want => Err(format!("events {got:?}, want {want:?}")),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Retries the step's refs by id, then checks each one's status against `expect_status`.
    async fn retry(&mut self, step: &Value) -> StepResult {
        let ids = self.ids_of(step)?;
        let outcome = self.client.retry_ids(ids.clone()).await;
        let retried = outcome.as_ref().ok().cloned();
        expect(step, outcome.map(|_| None))?;
        let Some(retried) = retried else {
            return Ok(());
        };
        if retried != ids {
            return Err(format!("retried {retried:?}, want {ids:?}"));
        }
        for id in ids {
            let outcome = self.client.get_action(pb::GetActionRequest { id }).await;
            expect_action(step, outcome.map(|r| r.action))
                .map_err(|why| format!("{}: {why}", self.ref_of(id)))?;
        }
        Ok(())
    }

    fn ids_of(&self, step: &Value) -> Result<Vec<i64>, String> {
        strings(&step["refs"])
            .iter()
            .map(|r| self.ids.get(r).copied().ok_or(format!("unknown ref {r:?}")))
            .collect()
    }

    fn id(&self, step: &Value) -> Result<i64, String> {
        if let Some(id) = step.get("id").and_then(Value::as_i64) {
            return Ok(id);
        }
        let r = step["ref"]
            .as_str()
            .ok_or("the step has neither id nor ref")?;
        self.ids.get(r).copied().ok_or(format!("unknown ref {r:?}"))
    }

    fn lease(&self, step: &Value) -> Result<String, String> {
        match step["lease"].as_str() {
            Some("held") => {
                let r = step["ref"].as_str().ok_or("lease \"held\" needs a ref")?;
                self.leases
                    .get(r)
                    .cloned()
                    .ok_or(format!("no lease held for {r:?}"))
            }
            Some("random") => Ok(uuid::Uuid::new_v4().to_string()),
            Some(other) => Err(format!("unknown lease {other:?}")),
            None => Ok(String::new()),
        }
    }

    fn ref_of(&self, id: i64) -> String {
        self.ids
            .iter()
            .find(|(_, &known)| known == id)
            .map_or_else(|| format!("id:{id}"), |(r, _)| r.clone())
    }
}

/// Checks the call's status code against `expect_code` and its ErrorInfo reason against
/// `expect_reason` and, on success, the returned statuses against `expect_status`.
fn expect(step: &Value, outcome: Result<Option<Vec<String>>, Error>) -> StepResult {
    let want_code = step["expect_code"].as_str().unwrap_or("OK");
    let (code, got_statuses) = match &outcome {
        Ok(statuses) => ("OK", statuses.as_ref()),
        Err(err) => (code_name(err.code()), None),
    };
    if code != want_code {
        let detail = outcome
            .err()
            .map(|err| format!(" ({err})"))
            .unwrap_or_default();
        return Err(format!("got {code}{detail}, want {want_code}"));
    }
    if let (Some(want), Err(err)) = (step["expect_reason"].as_str(), &outcome) {
        if err.reason().as_str() != want {
            return Err(format!(
                "reason {:?}, want {want:?} ({err})",
                err.reason().as_str()
            ));
        }
    }
    if let (Some(want), Some(got)) = (step["expect_status"].as_str(), got_statuses) {
        if got.is_empty() || got.iter().any(|s| s != want) {
            return Err(format!("status {got:?}, want {want:?}"));
        }
    }
    Ok(())
}

/// Each key of `want` must equal `got`'s as JSON values; other keys of `got` are not compared.
fn check_fields(what: &str, got: &Value, want: &Value) -> StepResult {
    let want = want
        .as_object()
        .ok_or(format!("{what}: expected fields {want} are not an object"))?;
    for (key, value) in want {
        let Some(field) = got.get(key) else {
            return Err(format!("{what} {got} has no {key}"));
        };
        if !same_json(field, value) {
            return Err(format!("{what}: {key} is {field}, want {value}"));
        }
    }
    Ok(())
}

/// [`expect`] for a call that returns one action, then [`check_json`] on it.
fn expect_action(step: &Value, outcome: Result<Option<pb::Action>, Error>) -> StepResult {
    let action = outcome.as_ref().ok().cloned().flatten();
    expect(step, outcome.map(|a| Some(vec![status_name(a)])))?;
    action.map_or(Ok(()), |action| check_json(step, &action))
}

/// Checks the action's attempt against `expect_attempt`, and its payload, result and progress
/// against `expect_payload`, `expect_result` and `expect_progress`, as decoded JSON values.
fn check_json(step: &Value, action: &pb::Action) -> StepResult {
    if let Some(want) = step.get("expect_attempt").and_then(Value::as_i64) {
        if i64::from(action.attempt) != want {
            return Err(format!("attempt {}, want {want}", action.attempt));
        }
    }
    if let Some(want) = step.get("expect_progress") {
        let got: Option<Value> = action.progress().map_err(|e| {
            format!(
                "progress_json {:?} does not decode: {e}",
                action.progress_json
            )
        })?;
        if !got.as_ref().is_some_and(|got| same_json(got, want)) {
            return Err(format!("progress {got:?}, want {want}"));
        }
    }
    if let Some(want) = step.get("expect_payload") {
        let got: Value = action.payload().map_err(|e| {
            format!(
                "payload_json {:?} does not decode: {e}",
                action.payload_json
            )
        })?;
        if !same_json(&got, want) {
            return Err(format!("payload {got}, want {want}"));
        }
    }
    if let Some(want) = step.get("expect_result") {
        let got: Option<Value> = action
            .result()
            .map_err(|e| format!("result_json {:?} does not decode: {e}", action.result_json))?;
        if !got.as_ref().is_some_and(|got| same_json(got, want)) {
            return Err(format!("result {got:?}, want {want}"));
        }
    }
    Ok(())
}

/// Equal as JSON values: same structure and strings, object keys in any order, numbers of the same
/// kind and value however they are spelled (integers digit for digit, fractions as doubles; 1 and
/// 1.0 differ, as in every runner).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => same_number(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, a)| y.get(key).is_some_and(|b| same_json(a, b)))
        }
        _ => a == b,
    }
}

fn same_number(x: &Number, y: &Number) -> bool {
    let (a, b) = (x.to_string(), y.to_string());
    let integer = |text: &str| !text.contains(['.', 'e', 'E']);
    match (integer(&a), integer(&b)) {
        _ if a == b => true,
        (true, true) => matches!((a.parse::<i128>(), b.parse::<i128>()), (Ok(p), Ok(q)) if p == q),
        (false, false) => matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q),
        _ => false,
    }
}

/// "completed" for ACTION_STATUS_COMPLETED.
fn status_name(action: Option<pb::Action>) -> String {
    let status = action.map_or(ActionStatus::Unspecified, |a| a.status());
    status
        .as_str_name()
        .trim_start_matches("ACTION_STATUS_")
        .to_lowercase()
}

fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The scenario's backoff (`strategy`, `base_ms`, `max_ms`, `jitter`) as the API's; a duration
/// that is present is sent, 0 too (unset would mean the default).
fn backoff(spec: &Value) -> Result<pb::Backoff, String> {
    let strategy = match spec["strategy"].as_str().unwrap_or_default() {
        "fixed" => pb::BackoffStrategy::Fixed,
        "exponential" => pb::BackoffStrategy::Exponential,
        "" => pb::BackoffStrategy::Unspecified,
        other => return Err(format!("unknown backoff strategy {other:?}")),
    };
    Ok(pb::Backoff {
        strategy: strategy as i32,
        base: spec.get("base_ms").map(|_| millis(spec, "base_ms")),
        max: spec.get("max_ms").map(|_| millis(spec, "max_ms")),
        jitter: spec["jitter"].as_f64().unwrap_or(0.0),
    })
}

fn millis(step: &Value, key: &str) -> prost_types::Duration {
    let ms = step[key].as_i64().unwrap_or(0);
    prost_types::Duration {
        seconds: ms / 1000,
        nanos: ((ms % 1000) * 1_000_000) as i32,
    }
}

fn text(value: &Value, key: &str) -> String {
    let v = if key.is_empty() { value } else { &value[key] };
    v.as_str().unwrap_or_default().to_owned()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
