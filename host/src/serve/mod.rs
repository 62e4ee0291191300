//! `lagom serve`: the eval contracts and the simulator over HTTP, plus the web app (or a built-in page)
//! at `/`.
//!
//! This module owns the server's options, its runtime and its lifetime (bind, announce, serve, shut down).
//! The routes live in [`routes`], the HTTP shape of errors in [`errors`], the request-wide layers (logging,
//! time limit) in [`layers`], what `/` serves in [`static_files`] and the stop signals in [`shutdown`]. No
//! billing logic lives here: every answer comes from `lagom_core` (the eval contracts, the simulator),
//! with `custom` charges handed to the plugins of `--plugins`.

mod errors;
mod layers;
mod routes;
mod shutdown;
mod static_files;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tracing_subscriber::EnvFilter;

use crate::error::HostError;
use crate::plugins::PluginArgs;
use routes::Limits;
use shutdown::Shutdown;
use static_files::Site;

/// The options of `lagom serve`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// The address to listen on; port 0 picks a free port (the URL printed at startup names it).
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Serve the web app from this directory at `/` [default: `www/dist` if it exists, else a built-in page].
    #[arg(long, value_name = "DIR")]
    www: Option<PathBuf>,
    /// The largest request body accepted, in bytes; a larger one is answered 413.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_body_bytes: usize,
    /// The time limit of one request, in seconds; a slower one is answered 503.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout_secs: u64,
    #[command(flatten)]
    plugins: PluginArgs,
}

/// Runs the server until SIGTERM or Ctrl-C, then lets requests in flight finish and returns.
pub fn run(options: Options) -> Result<(), HostError> {
    init_logging();
    let site = Site::locate(options.www.as_deref())?;
    // Every plugin is compiled here, once; a bad one stops the start-up with its name.
    let plugins = options.plugins.load()?.map(Arc::new);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| HostError::Io {
            what: "starting the async runtime".into(),
            source,
        })?;
    let served = runtime.block_on(serve(&options, site, plugins));
    // Requests in flight have been answered by now; what may remain are evaluations abandoned at the time
    // limit, whose answers nobody waits for.
    runtime.shutdown_background();
    served
}

async fn serve(
    options: &Options,
    site: Site,
    plugins: Option<Arc<lagom::plugin::Runtime>>,
) -> Result<(), HostError> {
    // Listen for the stop signals before announcing the address, so a signal sent right after the
    // announcement is a graceful stop and not the default (abrupt) one.
    let shutdown = Shutdown::listen().map_err(|source| HostError::Io {
        what: "listening for stop signals".into(),
        source,
    })?;
    let io_error = |what: String| move |source| HostError::Io { what, source };
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(io_error(format!("listening on {}", options.addr)))?;
    let addr = listener
        .local_addr()
        .map_err(io_error("reading the bound address".into()))?;
    let limits = Limits {
        max_body_bytes: options.max_body_bytes,
        request_timeout: Duration::from_secs(options.request_timeout_secs),
    };
    let plugin_names = plugins
        .as_deref()
        .map(|runtime| runtime.names().collect::<Vec<_>>().join(","));
    tracing::info!(%addr, site = %site, max_body_bytes = limits.max_body_bytes, request_timeout = ?limits.request_timeout, plugins = ?plugin_names, "serving");
    println!("Lagom listening on http://{addr}");
    axum::serve(listener, routes::router(&site, &limits, plugins))
        .with_graceful_shutdown(shutdown.requested())
        .await
        .map_err(io_error("serving HTTP".into()))?;
    tracing::info!("stopped");
    Ok(())
}

/// Logs to standard error (standard output carries only the startup URL), at the level `RUST_LOG` sets,
/// `info` by default.
fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
