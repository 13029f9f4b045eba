//! Open files for a fleet. Each host in flight holds a socket and, while
//! its output waits, up to two spool files (stdout and stderr); the soft
//! limit a shell starts with is often far lower than `--parallel 1024`
//! needs (1024 on Linux, 256 on macOS), and running out shows up as hosts
//! failing with "Too many open files". So the soft limit is raised as far
//! as the fleet needs and the hard limit allows; when even that is too
//! low, fewer hosts run at a time.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Files one host in flight may hold: its socket and two spool files.
const FILES_PER_HOST: u64 = 3;
/// Files kept for everything else: stdin, stdout, stderr, the stdin
/// reader, a CA file, the system's certificate store, a keytab...
const RESERVED: u64 = 64;

/// Raises the open-file limit for `parallel` hosts at a time; returns how
/// many hosts may run at once, and the limit when that is fewer than
/// `parallel`.
pub fn fit(parallel: usize) -> (usize, Option<u64>) {
    let wanted = files_for(parallel);
    let Rlimit { current, maximum } = getrlimit(Resource::Nofile);
    let soft = match current {
        // Unlimited, or already enough.
        None => return (parallel, None),
        Some(soft) if soft >= wanted => return (parallel, None),
        Some(soft) => soft,
    };
    let raised = maximum.map_or(wanted, |hard| hard.min(wanted));
    let limit = if raised > soft
        && setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(raised),
                maximum,
            },
        )
        .is_ok()
    {
        raised
    } else {
        soft
    };
    match hosts_within(limit) {
        fits if fits >= parallel => (parallel, None),
        fits => (fits, Some(limit)),
    }
}

/// The open files `parallel` hosts at a time may need.
pub fn files_for(parallel: usize) -> u64 {
    RESERVED + FILES_PER_HOST * parallel as u64
}

/// How many hosts at a time fit in `limit` open files (at least one).
fn hosts_within(limit: u64) -> usize {
    let hosts = limit.saturating_sub(RESERVED) / FILES_PER_HOST;
    usize::try_from(hosts).unwrap_or(usize::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_at_a_time_follow_the_open_file_limit() {
        assert_eq!(files_for(32), 64 + 96);
        assert_eq!(hosts_within(256), 64);
        assert_eq!(hosts_within(1024), 320);
        assert_eq!(hosts_within(10), 1, "one host always runs");
        assert!(hosts_within(files_for(1024)) >= 1024);
    }
}
