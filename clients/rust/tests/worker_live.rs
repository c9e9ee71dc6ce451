//! Worker behaviour against a live server. Ignored by default; run with a server at
//! `ACTIONQ_SERVER`: `cargo test --test worker_live -- --ignored`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actionq::pb;
use actionq::{ActionStatus, CancellationToken, Client, ClientOptions, Completion, Worker};
use serde_json::{json, Value};

const TYPE: &str = "rust.worker-test";

async fn connect() -> Client {
    ClientOptions::from_env()
        .connect()
        .await
        .expect("a server at ACTIONQ_SERVER")
}

fn project() -> String {
    format!("rust-worker-{}", uuid::Uuid::new_v4())
}

/// Enqueues one action per mode (its target_ref), each with the payload `{"mode": MODE, "big":
/// 2^64-1}`.
async fn enqueue(client: &Client, project: &str, modes: &[&str]) -> Vec<i64> {
    let actions = modes
        .iter()
        .map(|mode| {
            pb::NewAction {
                action_type: TYPE.to_owned(),
                project: project.to_owned(),
                created_by: "human:test".to_owned(),
                target_ref: (*mode).to_owned(),
                ..Default::default()
            }
            .with_payload(&json!({"mode": mode, "big": u64::MAX}))
            .unwrap()
        })
        .collect();
    let response = client
        .enqueue(pb::EnqueueRequest {
            actions,
            ..Default::default()
        })
        .await
        .unwrap();
    response
        .actions
        .iter()
        .map(|a| a.action.as_ref().unwrap().id)
        .collect()
}

async fn get(client: &Client, id: i64) -> pb::Action {
    client
        .get_action(pb::GetActionRequest { id })
        .await
        .unwrap()
        .action
        .unwrap()
}

async fn wait_for_status(client: &Client, id: i64, status: ActionStatus) -> pb::Action {
    for _ in 0..100 {
        let action = get(client, id).await;
        if action.status() == status {
            return action;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("action {id} never reached {status:?}");
}

fn worker(client: Client, project: &str) -> Worker {
    Worker::new(client, "rust-worker-test")
        .action_types([TYPE])
        .project(project)
        .concurrency(4)
        .lease(Duration::from_secs(3))
        .wait(Duration::from_secs(1))
}

#[tokio::test]
#[ignore = "needs a live server at ACTIONQ_SERVER"]
async fn completes_fails_and_honours_cancellation() {
    let client = connect().await;
    let project = project();
    let ids = enqueue(&client, &project, &["ok", "err", "panic", "slow"]).await;
    let saw_cancel = Arc::new(AtomicBool::new(false));
    let shutdown = CancellationToken::new();

    let flag = Arc::clone(&saw_cancel);
    let run = tokio::spawn(worker(client.clone(), &project).run(
        shutdown.clone(),
        move |action, cancel| {
            let flag = Arc::clone(&flag);
            async move {
                match action.target_ref.as_str() {
                    "ok" => {
                        assert_eq!(action.payload, json!({"mode": "ok", "big": u64::MAX}));
                        let echo = json!({"n": 1, "big": action.payload["big"]});
                        Ok(Completion::new("done:ok").with_result(echo))
                    }
                    "err" => Err("boom".into()),
                    "panic" => panic!("kaput"),
                    _ => {
                        tokio::select! {
                            _ = cancel.cancelled() => flag.store(true, Ordering::SeqCst),
                            _ = tokio::time::sleep(Duration::from_secs(30)) => {}
                        }
                        Ok(Completion::new("must not complete"))
                    }
                }
            }
        },
    ));

    let slow = wait_for_status(&client, ids[3], ActionStatus::Claimed).await;
    assert_eq!(slow.claimed_by, "rust-worker-test");
    client
        .cancel(pb::CancelRequest {
            id: ids[3],
            reason: "test".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap();

    let ok = wait_for_status(&client, ids[0], ActionStatus::Completed).await;
    assert_eq!(ok.result_ref, "done:ok");
    assert_eq!(
        ok.result::<Value>().unwrap(),
        Some(json!({"n": 1, "big": u64::MAX}))
    );
    let err = wait_for_status(&client, ids[1], ActionStatus::Failed).await;
    assert_eq!(err.failure_reason, "boom");
    let panicked = wait_for_status(&client, ids[2], ActionStatus::Failed).await;
    assert!(
        panicked.failure_reason.contains("kaput"),
        "{}",
        panicked.failure_reason
    );

    for _ in 0..50 {
        if saw_cancel.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        saw_cancel.load(Ordering::SeqCst),
        "the handler's token was not cancelled"
    );
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(get(&client, ids[3]).await.status(), ActionStatus::Cancelled);
}

#[tokio::test]
#[ignore = "needs a live server at ACTIONQ_SERVER"]
async fn shutdown_lets_in_flight_handlers_finish() {
    let client = connect().await;
    let project = project();
    let ids = enqueue(&client, &project, &["sleepy"]).await;
    let shutdown = CancellationToken::new();
    let run = tokio::spawn(
        worker(client.clone(), &project).run(shutdown.clone(), |_, _| async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            Ok(Completion::new("slept"))
        }),
    );
    wait_for_status(&client, ids[0], ActionStatus::Claimed).await;
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let action = get(&client, ids[0]).await;
    assert_eq!(action.status(), ActionStatus::Completed);
    assert_eq!(action.result_ref, "slept");
}

#[tokio::test]
#[ignore = "needs a live server at ACTIONQ_SERVER"]
async fn stop_flushes_the_outbox_without_waiting_out_the_window() {
    let client = connect().await;
    let project = project();
    let ids = enqueue(&client, &project, &["a", "b", "c", "d"]).await;
    let handled = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let shutdown = CancellationToken::new();
    let count = Arc::clone(&handled);
    let run = tokio::spawn(
        worker(client.clone(), &project)
            .complete_batch_window(Duration::from_secs(1))
            .run(shutdown.clone(), move |action, _| {
                count.fetch_add(1, Ordering::SeqCst);
                std::future::ready(Ok(Completion::new(format!("done:{}", action.id))))
            }),
    );
    while handled.load(Ordering::SeqCst) < ids.len() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The completions now wait out the 1 s window; stopping must send them at once.
    let stopping = std::time::Instant::now();
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(stopping.elapsed() < Duration::from_millis(900));
    for id in ids {
        let action = get(&client, id).await;
        assert_eq!(action.status(), ActionStatus::Completed, "action {id}");
        assert_eq!(action.result_ref, format!("done:{id}"));
    }
}

#[tokio::test]
#[ignore = "needs a live server at ACTIONQ_SERVER"]
async fn a_slot_frees_before_the_completion_is_acknowledged() {
    let client = connect().await;
    let project = project();
    let ids = enqueue(&client, &project, &["first", "second"]).await;
    let started = Arc::new(std::sync::Mutex::new(Vec::new()));
    let shutdown = CancellationToken::new();
    let log = Arc::clone(&started);
    // One slot and a 1 s window: the second handler can only start within the window if the
    // first one's slot was freed before its completion was sent.
    let run = tokio::spawn(
        worker(client.clone(), &project)
            .concurrency(1)
            .complete_batch_window(Duration::from_secs(1))
            .run(shutdown.clone(), move |_, _| {
                log.lock().unwrap().push(std::time::Instant::now());
                std::future::ready(Ok(Completion::new("done")))
            }),
    );
    for id in &ids {
        wait_for_status(&client, *id, ActionStatus::Completed).await;
    }
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let started = started.lock().unwrap();
    assert_eq!(started.len(), 2);
    let gap = started[1] - started[0];
    assert!(
        gap < Duration::from_millis(700),
        "the second handler started {gap:?} after the first"
    );
}

#[tokio::test]
#[ignore = "needs a live server at ACTIONQ_SERVER"]
async fn errors_carry_their_reason_and_a_retried_enqueue_replays() {
    use actionq::Reason;

    let client = connect().await;
    let err = client
        .get_action(pb::GetActionRequest {
            id: 999_999_999_999,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    assert!(matches!(err.reason(), Reason::ActionNotFound), "{err}");

    let project = project();
    let request = pb::EnqueueRequest {
        actions: vec![pb::NewAction {
            action_type: TYPE.to_owned(),
            project: project.clone(),
            created_by: "human:test".to_owned(),
            ..Default::default()
        }],
        request_id: uuid::Uuid::new_v4().to_string(),
        ..Default::default()
    };
    let first = client.enqueue(request.clone()).await.unwrap();
    let again = client.enqueue(request.clone()).await.unwrap();
    assert!(!first.replayed && again.replayed);
    let id = |r: &pb::EnqueueResponse| r.actions[0].action.as_ref().map(|a| a.id);
    assert_eq!(id(&first), id(&again));

    let mut other = request;
    other.actions[0].target_ref = "different".to_owned();
    let err = client.enqueue(other).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::AlreadyExists);
    assert!(matches!(err.reason(), Reason::RequestIdReused), "{err}");
}

#[tokio::test]
#[ignore = "needs a live server at ACTIONQ_SERVER"]
async fn a_follower_resumes_after_its_cursor() {
    let client = connect().await;
    let project = project();
    let ids = enqueue(&client, &project, &["followed"]).await;
    let request = pb::WatchEventsRequest {
        action_ids: ids.clone(),
        ..Default::default()
    };
    let within = Duration::from_secs(10);

    let mut follower = client.follow_events(request.clone());
    let enqueued = tokio::time::timeout(within, follower.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(enqueued.event_type, "action_enqueued");
    let details: Value = enqueued.payload().unwrap();
    assert!(details.is_object(), "{}", enqueued.payload_json);
    let cursor = follower.cursor().to_owned();
    assert!(!cursor.is_empty());
    drop(follower);

    client
        .cancel(pb::CancelRequest {
            id: ids[0],
            reason: "test".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut resumed = client.follow_events(pb::WatchEventsRequest {
        after_cursor: cursor,
        ..request
    });
    let next = tokio::time::timeout(within, resumed.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.event_type, "action_cancelled");
}

#[tokio::test]
#[ignore = "needs a live server at ACTIONQ_SERVER"]
async fn a_retried_attempt_resumes_after_its_saved_step() {
    let client = connect().await;
    let project = project();
    let id = client
        .enqueue(pb::EnqueueRequest {
            actions: vec![pb::NewAction {
                action_type: TYPE.to_owned(),
                project: project.clone(),
                created_by: "human:test".to_owned(),
                target_ref: "steps".to_owned(),
                max_attempts: 2,
                ..Default::default()
            }],
            ..Default::default()
        })
        .await
        .unwrap()
        .actions[0]
        .action
        .as_ref()
        .unwrap()
        .id;
    let download_runs = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let shutdown = CancellationToken::new();
    let runs = Arc::clone(&download_runs);
    let run = tokio::spawn(worker(client.clone(), &project).run(
        shutdown.clone(),
        move |action, _cancel| {
            let runs = Arc::clone(&runs);
            async move {
                let download: Value = action
                    .step("download", || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        Ok(json!({"bytes": u64::MAX}))
                    })
                    .await?;
                if action.attempt == 1 {
                    return Err(actionq::HandlerError::retry_in(Duration::ZERO, "crash"));
                }
                Ok(Completion::new("done").with_result(json!({"bytes": download["bytes"]})))
            }
        },
    ));
    let done = client.wait([id], Duration::from_secs(20)).await.unwrap();
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(done[0].status(), ActionStatus::Completed);
    assert_eq!(done[0].attempt, 2);
    assert_eq!(
        done[0].result::<Value>().unwrap(),
        Some(json!({"bytes": u64::MAX}))
    );
    assert_eq!(
        download_runs.load(Ordering::SeqCst),
        1,
        "the step ran again"
    );
    let saved = client.checkpoints(id).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!((saved[0].step.as_str(), saved[0].attempt), ("download", 1));
}

#[tokio::test]
#[ignore = "needs a live server at ACTIONQ_SERVER"]
async fn a_handler_waits_for_a_signal_and_reruns_with_its_payload() {
    let client = connect().await;
    let project = project();
    let signal = format!("rust-test:{project}");
    let id = enqueue(&client, &project, &["waits"]).await[0];
    let step_runs = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let shutdown = CancellationToken::new();
    let run = tokio::spawn({
        let (signal, step_runs) = (signal.clone(), Arc::clone(&step_runs));
        worker(client.clone(), &project).run(shutdown.clone(), move |action, _cancel| {
            let (signal, step_runs) = (signal.clone(), Arc::clone(&step_runs));
            async move {
                // Done once: the re-run after the wake-up reads its stored result.
                let before: Value = action
                    .step("before", || async {
                        step_runs.fetch_add(1, Ordering::SeqCst);
                        Ok(json!({"ok": true}))
                    })
                    .await?;
                let wake = action
                    .wait_for_signal(&signal, actionq::WaitOptions::new())
                    .await?;
                Ok(Completion::new("woken")
                    .with_result(json!({"before": before, "payload": wake.payload})))
            }
        })
    });
    wait_for_status(&client, id, ActionStatus::Waiting).await;
    let sent = client
        .send_signal(
            signal.clone(),
            &json!({"n": u64::MAX}),
            actionq::SignalOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(sent.woken, vec![id]);
    let done = client.wait([id], Duration::from_secs(20)).await.unwrap();
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(done[0].status(), ActionStatus::Completed);
    assert_eq!(done[0].attempt, 1);
    assert_eq!(
        done[0].result::<Value>().unwrap(),
        Some(json!({"before": {"ok": true}, "payload": {"n": u64::MAX}}))
    );
    assert_eq!(step_runs.load(Ordering::SeqCst), 1, "the step ran again");
    let steps: Vec<String> = client
        .checkpoints(id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.step)
        .collect();
    assert_eq!(steps, vec!["before".to_owned(), format!("signal:{signal}")]);
}
