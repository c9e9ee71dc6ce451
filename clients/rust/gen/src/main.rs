//! Generates the Rust stubs of `actionq.v1` into `src/gen/` with tonic-prost-build.
//!
//! protoc and the well-known-type includes come from the `protoc-bin-vendored`
//! crate, so no system protoc is needed. Usage: `actionq-gen PROTO_ROOT OUT_DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

const PROTOS: [&str; 3] = [
    "actionq/v1/action.proto",
    "actionq/v1/errors.proto",
    "actionq/v1/service.proto",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [proto_root, out_dir] = args.as_slice() else {
        eprintln!("usage: actionq-gen PROTO_ROOT OUT_DIR");
        return ExitCode::from(2);
    };
    match generate(PathBuf::from(proto_root), PathBuf::from(out_dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("actionq-gen: {err}");
            ExitCode::FAILURE
        }
    }
}

fn generate(proto_root: PathBuf, out_dir: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);

    let protos: Vec<PathBuf> = PROTOS.iter().map(|p| proto_root.join(p)).collect();
    let includes = vec![proto_root, protoc_bin_vendored::include_path()?];

    std::fs::create_dir_all(&out_dir)?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(false)
        .build_transport(true)
        .emit_rerun_if_changed(false)
        .out_dir(out_dir)
        .compile_with_config(config, &protos, &includes)?;
    Ok(())
}
