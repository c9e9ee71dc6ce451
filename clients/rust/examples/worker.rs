use std::time::Duration;

use actionq::{shutdown_on_signal, ClientOptions, Completion, HandlerError, Worker};
use serde::Deserialize;
use serde_json::json;

/// The payload of an `image.resize` action.
#[derive(Deserialize)]
struct Resize {
    width: u32,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ClientOptions::from_env().connect().await?; // ACTIONQ_SERVER, else 127.0.0.1:50051
    Worker::new(client, "resize-worker")
        .action_types(["image.resize"])
        .concurrency(4)
        .run(shutdown_on_signal(), |action, cancel| async move {
            // action.payload is a serde_json::Value; payload::<T>() decodes it into your own type.
            let resize: Resize = action
                .payload()
                .map_err(|e| HandlerError::reject("image.resize", format!("bad payload: {e}")))?;
            action.report_progress(&json!({"step": "resizing"})).await?;
            tokio::select! {
                _ = cancel.cancelled() => Err("cancelled".into()), // not reported: the action is gone
                _ = tokio::time::sleep(Duration::from_secs(1)) => {
                    Ok(Completion::new(format!("resized:{}", action.target_ref))
                        .with_result(json!({"width": resize.width})))
                }
            }
        })
        .await?;
    Ok(())
}
