//! The integration tests: one binary, one module per area. Tests run the
//! real `winrm` binary against the simulated Windows listener
//! (`tests/listener`) or tiny misbehaving servers, and feed the captured
//! fixtures in `tests/fixtures` through the library. Golden files hold the
//! request envelopes (`envelopes`), the output of replayed fixtures
//! (`formats`) and whole runs of the binary (`snapshots`);
//! `SNAPSHOTS=overwrite` rewrites them all (`support::golden`).

mod support;

mod auth;
mod auth_digest;
mod certificates;
mod create_delete;
mod differential;
mod docs;
mod enumerate;
mod envelopes;
mod exec;
mod faults;
mod fixtures;
mod fleet;
mod fleet_listener;
mod formats;
mod generated;

mod get_set;
mod http_peers;
mod identify;
mod injection;
mod invoke;
mod memory;
mod output;
mod presentation;
mod proxy;
mod retry;
mod secrets;
mod shell_listener;
mod snapshots;
mod syntax;
mod transport;
