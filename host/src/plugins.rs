//! `--plugins DIR`: the option `lagom eval`, `lagom simulate` and `lagom serve` share to price `custom`
//! charges with wasm plugins, and the one place those plugins are loaded.

use std::path::PathBuf;

use lagom::plugin::Runtime;
use lagom::plugin::cli::LimitArgs;

use crate::error::HostError;

/// The plugin options of a command.
#[derive(Debug, Clone, clap::Args)]
pub struct PluginArgs {
    /// Load every `*.wasm` of this directory as a plugin, named after its file stem; a `custom` charge
    /// names its plugin in `properties.plugin` (see docs/plugins.md).
    #[arg(long, value_name = "DIR")]
    plugins: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

impl PluginArgs {
    /// The loaded plugins, compiled once, or `None` without `--plugins`. A file that is not a valid
    /// plugin stops here, with its name and the reason.
    pub fn load(&self) -> Result<Option<Runtime>, HostError> {
        let Some(dir) = &self.plugins else {
            return Ok(None);
        };
        let mut runtime = Runtime::new(self.limits.limits())?;
        runtime.load_dir(dir)?;
        Ok(Some(runtime))
    }
}
