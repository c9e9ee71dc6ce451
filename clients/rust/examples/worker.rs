use std::time::Duration;

use actionq::{shutdown_on_signal, ClientOptions, Completion, Worker};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ClientOptions::from_env().connect().await?; // ACTIONQ_SERVER, else 127.0.0.1:50051
    Worker::new(client, "resize-worker")
        .action_types(["image.resize"])
        .concurrency(4)
        .run(shutdown_on_signal(), |action, cancel| async move {
            tokio::select! {
                _ = cancel.cancelled() => Err("cancelled".to_owned()), // not reported: the action is gone
                _ = tokio::time::sleep(Duration::from_secs(1)) => {
                    Ok(Completion::new(format!("resized:{}", action.target_ref)))
                }
            }
        })
        .await?;
    Ok(())
}
