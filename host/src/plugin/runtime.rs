//! The plugin runtime: compiles each plugin once, then runs every call in a fresh, metered sandbox.
//!
//! A [`Runtime`] owns the wasmtime engine (fuel metering, a bounded stack, canonical NaNs) and the loaded
//! [`Plugin`]s. A plugin keeps its compiled module pre-linked (`InstancePre`); each call instantiates it into
//! a new `Store` with its own fuel and memory cap, so no state leaks from one call to the next, and a call
//! that traps, loops or hoards memory fails alone, with a [`Reason`] naming what happened.

use std::collections::BTreeMap;
use std::path::Path;

use lagom_core::plugin_abi::{self, StateText};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use wasmtime::{
    Config, Engine, Instance, InstanceAllocationStrategy, InstancePre, Linker, Module,
    PoolingAllocationConfig, ResourceLimiter, Store, Trap,
};

use super::abi::{self, ABI_VERSION, ABI_VERSION_EXPORT, ALLOC, Call, Calls, MEMORY};
use super::error::{PluginError, Reason};

use super::limits::{EPOCH_TICK, Limits};
/// The running state of a custom aggregation (Lago's `{total_units, amount}`).
pub use lagom_core::metric::CustomState as State;
/// What a custom charge model answers (the ABI's document, read by the core).
pub use lagom_core::plugin_abi::PriceAnswer as Price;

/// How many events one `lagom_aggregate` call receives. Lago hands its aggregator 1 000 at a time; a tenth
/// of that keeps one call's default fuel (10M) at about 100 000 instructions per event, several times what
/// the storage-tier example needs (about 15 000). A per-event fold gives the same state whatever the batch.
pub const AGGREGATE_BATCH: usize = 100;

/// Table growth past this many elements is refused (Rust plugins use a few dozen).
const TABLE_ELEMENTS: usize = 10_000;

/// How many plugin instances may be alive at once (calls in flight, across all plugins). Instances come
/// from a pool of this many pre-reserved slots, reset between calls, which is what keeps a warm call cheap;
/// a call beyond the pool fails with a trap naming the limit.
pub const CONCURRENT_CALLS: u32 = 256;

/// Per-call memory this small is reset with `memset` rather than `madvise`, saving page faults on reuse.
const KEEP_RESIDENT_BYTES: usize = 1024 * 1024;

/// The loaded plugins and the engine they run on.
pub struct Runtime {
    engine: Engine,
    limits: Limits,
    plugins: BTreeMap<String, Plugin>,
}

impl Runtime {
    /// A runtime with no plugin yet, whose calls get `limits`.
    ///
    /// ```
    /// let runtime = lagom::plugin::Runtime::new(Default::default()).unwrap();
    /// assert_eq!(runtime.names().count(), 0);
    /// ```
    pub fn new(limits: Limits) -> Result<Self, PluginError> {
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .max_wasm_stack(limits.stack_bytes)
            // The same plugin must price the same input the same way on every machine.
            .cranelift_nan_canonicalization(true)
            .relaxed_simd_deterministic(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool(limits)))
            .epoch_interruption(true);
        let engine = Engine::new(&config).map_err(|e| PluginError::Engine(e.to_string()))?;
        start_clock(&engine)?;
        Ok(Runtime {
            engine,
            limits,
            plugins: BTreeMap::new(),
        })
    }

    /// The limits each call gets.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Loads every `*.wasm` file of `dir` (not its subdirectories), each named after its file stem, in name
    /// order; stops at the first that cannot be read or loaded. Returns the names loaded.
    pub fn load_dir(&mut self, dir: &Path) -> Result<Vec<String>, PluginError> {
        let io = |source| PluginError::Io {
            what: dir.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.is_file() && path.extension().is_some_and(|ext| ext == "wasm") {
                files.push(path);
            }
        }
        files.sort();
        let mut names = Vec::with_capacity(files.len());
        for path in files {
            let plugin = self.load_file(&path)?;
            names.push(plugin.name().to_owned());
        }
        Ok(names)
    }

    /// Loads one `.wasm` file, named after its file stem.
    pub fn load_file(&mut self, path: &Path) -> Result<&Plugin, PluginError> {
        let name = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .ok_or_else(|| {
                PluginError::BadInput(format!("{}: not a plugin file name", path.display()))
            })?
            .to_owned();
        let wasm = std::fs::read(path).map_err(|source| PluginError::Io {
            what: path.display().to_string(),
            source,
        })?;
        self.load(&name, &wasm)
    }

    /// Compiles and checks `wasm` and keeps it as plugin `name` (replacing a plugin of that name).
    pub fn load(&mut self, name: &str, wasm: &[u8]) -> Result<&Plugin, PluginError> {
        let plugin = Plugin::compile(&self.engine, self.limits, name, wasm)
            .map_err(|reason| PluginError::plugin(name, reason))?;
        self.plugins.insert(name.to_owned(), plugin);
        self.get(name)
    }

    /// The plugin called `name`.
    pub fn get(&self, name: &str) -> Result<&Plugin, PluginError> {
        self.plugins.get(name).ok_or_else(|| PluginError::Unknown {
            name: name.to_owned(),
            loaded: self.plugins.keys().cloned().collect(),
        })
    }

    /// The loaded plugins' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.plugins.keys().map(String::as_str)
    }

    /// The loaded plugins, in name order.
    pub fn plugins(&self) -> impl Iterator<Item = &Plugin> {
        self.plugins.values()
    }
}

/// A compiled, checked plugin, ready to be called from any thread.
pub struct Plugin {
    name: String,
    calls: Calls,
    size_bytes: usize,
    limits: Limits,
    engine: Engine,
    pre: InstancePre<Meter>,
}

/// What a plugin's work cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Fuel consumed, summed over calls.
    pub fuel: u64,
    /// The largest linear memory any of the calls reached, in bytes.
    pub peak_memory_bytes: usize,
    /// How many calls (fresh instances) it took.
    pub calls: usize,
}

/// A result and what computing it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Metered<T> {
    pub value: T,
    pub usage: Usage,
}

impl Plugin {
    fn compile(engine: &Engine, limits: Limits, name: &str, wasm: &[u8]) -> Result<Self, Reason> {
        let module = Module::new(engine, wasm).map_err(|e| Reason::Invalid(e.to_string()))?;
        let calls = abi::check_interface(&module)?;
        let pre = Linker::new(engine)
            .instantiate_pre(&module)
            .map_err(|e| Reason::Invalid(e.to_string()))?;
        let plugin = Plugin {
            name: name.to_owned(),
            calls,
            size_bytes: wasm.len(),
            limits,
            engine: engine.clone(),
            pre,
        };
        let found = plugin.abi_version()?;
        if found == ABI_VERSION {
            Ok(plugin)
        } else {
            Err(Reason::AbiVersion { found })
        }
    }

    /// The plugin's name (its file stem when loaded from a file).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Which calls the plugin exports.
    pub fn calls(&self) -> Calls {
        self.calls
    }

    /// The size of the plugin's `.wasm`, in bytes.
    pub fn size_bytes(&self) -> usize {
        self.size_bytes
    }

    /// Prices `units` with the plugin's `lagom_price`: a custom charge model. `context` is a JSON object
    /// (`events`, and `from_datetime`/`to_datetime` when the period is known) handed over as it is.
    pub fn price(
        &self,
        units: Decimal,
        properties: &Value,
        context: &Value,
    ) -> Result<Metered<Price>, PluginError> {
        #[derive(Serialize)]
        struct Request<'a> {
            units: String,
            properties: &'a Value,
            context: &'a Value,
        }
        let request = Request {
            units: lagom_core::decimal::to_text(units),
            properties,
            context,
        };
        let (ok, usage) = self.call(Call::Price, &request)?;
        let value = plugin_abi::read_price(&ok, "ok.")
            .map_err(|reason| PluginError::plugin(&self.name, Reason::MalformedResponse(reason)))?;
        Ok(Metered { value, usage })
    }

    /// Folds `events` (in timestamp order) into `state` with the plugin's `lagom_aggregate`: a custom
    /// aggregation, one call per batch of [`AGGREGATE_BATCH`] events, each batch starting from the state
    /// the previous one returned. No event, no call: the state comes back as it was.
    pub fn aggregate(
        &self,
        events: &[Value],
        state: State,
        properties: &Value,
    ) -> Result<Metered<State>, PluginError> {
        #[derive(Serialize)]
        struct Request<'a> {
            events: &'a [Value],
            state: StateText,
            properties: &'a Value,
        }
        let mut metered = Metered {
            value: state,
            usage: Usage::default(),
        };
        for batch in events.chunks(AGGREGATE_BATCH) {
            let request = Request {
                events: batch,
                state: StateText::from(metered.value),
                properties,
            };
            let (ok, usage) = self.call(Call::Aggregate, &request)?;
            metered.value = plugin_abi::read_state(&ok, "ok.").map_err(|reason| {
                PluginError::plugin(&self.name, Reason::MalformedResponse(reason))
            })?;
            metered.usage = Usage {
                fuel: metered.usage.fuel + usage.fuel,
                peak_memory_bytes: metered.usage.peak_memory_bytes.max(usage.peak_memory_bytes),
                calls: metered.usage.calls + usage.calls,
            };
        }
        Ok(metered)
    }

    /// One call of `call` on `request`, in a fresh instance: the response's `ok` value and the usage.
    fn call(&self, call: Call, request: &impl Serialize) -> Result<(Value, Usage), PluginError> {
        let fail = |reason| PluginError::plugin(&self.name, reason);
        if !self.calls.has(call) {
            return Err(fail(Reason::MissingExport(call.export().to_owned())));
        }
        let request = serde_json::to_vec(request)
            .map_err(|e| PluginError::BadInput(format!("cannot encode the request: {e}")))?;
        if request.len() > self.limits.input_bytes {
            return Err(fail(Reason::InputTooLarge {
                size: request.len(),
                limit: self.limits.input_bytes,
            }));
        }
        let mut store = self.store();
        let response = self.exchange(&mut store, call, &request);
        let usage = Usage {
            fuel: self.limits.fuel - store.get_fuel().unwrap_or(0),
            peak_memory_bytes: store.data().peak_bytes,
            calls: 1,
        };
        let ok = response
            .and_then(|bytes| plugin_abi::read_response(&bytes).map_err(Reason::from))
            .map_err(fail)?;
        Ok((ok, usage))
    }

    /// Instantiates the plugin, writes the request into its memory, runs `call` and copies the response out.
    fn exchange(
        &self,
        store: &mut Store<Meter>,
        call: Call,
        request: &[u8],
    ) -> Result<Vec<u8>, Reason> {
        let trap = |e| self.classify(e);
        let instance = self.pre.instantiate(&mut *store).map_err(trap)?;
        let memory = instance
            .get_memory(&mut *store, MEMORY)
            .ok_or_else(|| Reason::MissingExport(MEMORY.to_owned()))?;
        let len = i32::try_from(request.len()).map_err(|_| Reason::InputTooLarge {
            size: request.len(),
            limit: self.limits.input_bytes,
        })?;
        let ptr = instance
            .get_typed_func::<i32, i32>(&mut *store, ALLOC)
            .and_then(|alloc| alloc.call(&mut *store, len))
            .map_err(trap)?;
        let out_of_bounds = |what, ptr, len, store: &Store<Meter>| Reason::OutOfBounds {
            what,
            ptr,
            len,
            memory_bytes: memory.data_size(store),
        };
        memory
            .write(&mut *store, ptr as u32 as usize, request)
            .map_err(|_| {
                out_of_bounds(
                    "the request buffer from lagom_alloc",
                    ptr as u32,
                    len as u32,
                    store,
                )
            })?;
        let packed = instance
            .get_typed_func::<(i32, i32), i64>(&mut *store, call.export())
            .and_then(|function| function.call(&mut *store, (ptr, len)))
            .map_err(trap)?;
        let (ptr, len) = abi::unpack(packed);
        if len as usize > self.limits.output_bytes {
            return Err(Reason::OutputTooLarge {
                size: len as usize,
                limit: self.limits.output_bytes,
            });
        }
        let start = ptr as usize;
        memory
            .data(&*store)
            .get(start..start + len as usize)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| out_of_bounds("the response", ptr, len, store))
    }

    /// Asks a fresh instance which ABI version it speaks.
    fn abi_version(&self) -> Result<i32, Reason> {
        let mut store = self.store();
        let instance: Instance = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| self.classify(e))?;
        instance
            .get_typed_func::<(), i32>(&mut store, ABI_VERSION_EXPORT)
            .and_then(|version| version.call(&mut store, ()))
            .map_err(|e| self.classify(e))
    }

    fn store(&self) -> Store<Meter> {
        let mut store = Store::new(
            &self.engine,
            Meter {
                limit_bytes: self.limits.memory_bytes,
                peak_bytes: 0,
            },
        );
        store.limiter(|meter| meter);
        // Fuel metering is always on in this runtime's engine, so setting it cannot fail.
        store.set_fuel(self.limits.fuel).ok();
        store.set_epoch_deadline(self.limits.deadline_ticks());
        store
    }

    /// Names what stopped a call: a sandbox limit, or the trap the guest hit.
    fn classify(&self, error: wasmtime::Error) -> Reason {
        if error.downcast_ref::<MemoryLimitExceeded>().is_some() {
            return Reason::MemoryLimit {
                limit_bytes: self.limits.memory_bytes,
            };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => Reason::OutOfFuel {
                limit: self.limits.fuel,
            },
            Some(Trap::Interrupt) => Reason::Deadline {
                limit: self.limits.deadline,
            },
            Some(Trap::StackOverflow) => Reason::StackOverflow {
                limit_bytes: self.limits.stack_bytes,
            },
            // wasmtime's text starts "wasm trap: ", which `Reason::Trap` already says.
            Some(trap) => Reason::Trap(
                trap.to_string()
                    .trim_start_matches("wasm trap: ")
                    .to_owned(),
            ),
            None => Reason::Trap(error.to_string()),
        }
    }
}

/// Starts the thread that advances `engine`'s epoch every [`EPOCH_TICK`], which is what enforces each
/// call's deadline. It holds the engine weakly and ends once the engine (the runtime) is dropped.
fn start_clock(engine: &Engine) -> Result<(), PluginError> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("lagom-plugin-clock".into())
        .spawn(move || {
            loop {
                std::thread::sleep(EPOCH_TICK);
                match weak.upgrade() {
                    Some(engine) => engine.increment_epoch(),
                    None => break,
                }
            }
        })
        .map(drop)
        .map_err(|e| PluginError::Engine(format!("cannot start the deadline clock: {e}")))
}

fn pool(limits: Limits) -> PoolingAllocationConfig {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_core_instances(CONCURRENT_CALLS)
        .total_memories(CONCURRENT_CALLS)
        .total_tables(CONCURRENT_CALLS)
        .table_elements(TABLE_ELEMENTS)
        .max_memory_size(limits.memory_bytes)
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES.min(limits.memory_bytes))
        .table_keep_resident(KEEP_RESIDENT_BYTES);
    pool
}

/// A store's resource limiter: caps linear memory (a grow past the cap traps the call, rather than letting
/// the guest's allocator fail obscurely) and records the peak.
struct Meter {
    limit_bytes: usize,
    peak_bytes: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("the memory limit is exceeded")]
struct MemoryLimitExceeded;

impl ResourceLimiter for Meter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit_bytes {
            return Err(wasmtime::Error::new(MemoryLimitExceeded));
        }
        self.peak_bytes = self.peak_bytes.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= TABLE_ELEMENTS)
    }
}
