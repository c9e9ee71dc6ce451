//! The "TLS and tokens" example of the README, built by conformance.sh so that it stays true.

use actionq::ClientOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ClientOptions::from_env()
        .address("queue.internal:50051")
        .ca_file("/etc/actionq/ca.pem") // trust this CA
        .client_cert("/etc/actionq/me.pem", "/etc/actionq/me.key") // mutual TLS
        .token(std::env::var("ACTIONQ_TOKEN")?) // `authorization: Bearer …`
        .connect()
        .await?;
    let _ = client;
    Ok(())
}
