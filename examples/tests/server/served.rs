//! The `serve` example, as a program of this package that the server
//! tests start and stop (see `examples/serve/main.rs`).

#[path = "../../serve/main.rs"]
mod serve;

fn main() -> typed_workflows::anyhow::Result<()> {
    serve::main()
}
