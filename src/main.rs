// mimalloc reuses freed memory instead of handing large blocks back to the
// kernel and faulting them in again on the next call (glibc's trim
// threshold does that for 2-3 outputs of 8 MB each).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use trading_mcp::cli::{Cli, run};

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let code = match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
