//! The stop signals of `lagom serve`: SIGTERM (how service managers and containers stop a process) and
//! Ctrl-C (SIGINT). Either one starts a graceful shutdown.

use std::io;

/// Stop signals, registered when built so none is missed between startup and serving.
pub struct Shutdown {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl Shutdown {
    /// Starts listening for the stop signals. Must be called inside the tokio runtime.
    pub fn listen() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Shutdown {
                terminate: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Shutdown {})
        }
    }

    /// Completes when the first stop signal arrives.
    pub async fn requested(self) {
        #[cfg(unix)]
        {
            let Shutdown {
                mut terminate,
                mut interrupt,
            } = self;
            let name = tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "Ctrl-C",
            };
            tracing::info!("{name} received, finishing the requests in flight");
        }
        #[cfg(not(unix))]
        {
            match tokio::signal::ctrl_c().await {
                Ok(()) => tracing::info!("Ctrl-C received, finishing the requests in flight"),
                Err(err) => {
                    tracing::warn!(
                        "cannot listen for Ctrl-C ({err}); stop the process another way"
                    );
                    std::future::pending::<()>().await;
                }
            }
        }
    }
}
