//! What the benchmark reads from Linux's `/proc`, without `libc` (the
//! workspace forbids `unsafe`, so no `wait4` or `getrusage`):
//!
//! - a process's peak resident memory: `VmHWM` of `/proc/<pid>/status`,
//!   read every [`PEAK_POLL_INTERVAL`] while it runs ([`PeakWatcher`]; the
//!   kernel drops `VmHWM` when a process exits, so the last reading is
//!   what counts: a lower bound by at most what the process grows in its
//!   last interval);
//! - CPU time of waited-for children: `cutime` and `cstime` of
//!   `/proc/self/stat`, in clock ticks ([`waited_children_cpu_ms`]), which
//!   are too coarse for a process that uses a few ms, so also the time on
//!   CPU of the child's live threads (`/proc/<pid>/task/*/schedstat`, ns),
//!   read while it runs;
//! - the load average (`/proc/loadavg`) and the machine's memory
//!   (`/proc/meminfo`).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often [`PeakWatcher`] reads `VmHWM`.
pub const PEAK_POLL_INTERVAL: Duration = Duration::from_millis(2);

/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, 100 on
/// every Linux architecture the project builds for).
pub const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// The value in KiB of a `Field:   1234 kB` line of a `/proc/<pid>/status`
/// text, or `None` when the field is missing or not a number.
pub fn status_field_kib(status_text: &str, field: &str) -> Option<u64> {
    status_text.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// [`status_field_kib`] of the live process `pid`.
pub fn process_status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_field_kib(&text, field)
}

/// The three load averages of a `/proc/loadavg` text (1, 5 and 15 minutes).
pub fn load_averages_of(loadavg_text: &str) -> Option<[f64; 3]> {
    let mut fields = loadavg_text.split_whitespace().map(str::parse::<f64>);
    Some([
        fields.next()?.ok()?,
        fields.next()?.ok()?,
        fields.next()?.ok()?,
    ])
}

/// This machine's load averages now.
pub fn load_averages_now() -> Option<[f64; 3]> {
    load_averages_of(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

/// `MemTotal` of `/proc/meminfo`, in GiB rounded to one decimal.
pub fn memory_gib() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = status_field_kib(&text, "MemTotal")?;
    Some((kib as f64 / 1024.0 / 1024.0 * 10.0).round() / 10.0)
}

/// `cutime + cstime` of a `/proc/<pid>/stat` text in clock ticks: the CPU
/// time of the process's children it has waited for. The command name (in
/// parentheses, field 2) may hold spaces, so fields count from its `)`.
pub fn waited_children_ticks_of(stat_text: &str) -> Option<u64> {
    let after_name = &stat_text[stat_text.rfind(')')? + 1..];
    // After the name: state is field 3, so cutime (16) and cstime (17) are
    // the 14th and 15th fields here.
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let cutime: u64 = fields.get(13)?.parse().ok()?;
    let cstime: u64 = fields.get(14)?.parse().ok()?;
    Some(cutime + cstime)
}

/// The CPU time, in ms, of every child this process has waited for.
pub fn waited_children_cpu_ms() -> Option<f64> {
    let text = std::fs::read_to_string(Path::new("/proc/self/stat")).ok()?;
    Some(waited_children_ticks_of(&text)? as f64 * 1000.0 / CLOCK_TICKS_PER_SECOND)
}

/// The time on CPU, in ns, of a `/proc/<pid>/task/<tid>/schedstat` text
/// (its first field).
pub fn schedstat_cpu_ns(schedstat_text: &str) -> Option<u64> {
    schedstat_text.split_whitespace().next()?.parse().ok()
}

/// The time on CPU, in ns, of the live threads of process `pid`.
pub fn live_threads_cpu_ns(pid: u32) -> Option<u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    Some(
        tasks
            .flatten()
            .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
            .filter_map(|text| schedstat_cpu_ns(&text))
            .sum(),
    )
}

/// Reads a process's `VmHWM` (and, when asked, the CPU time of its live
/// threads) on a thread, every [`PEAK_POLL_INTERVAL`], until
/// [`PeakWatcher::finish`].
#[derive(Debug)]
pub struct PeakWatcher {
    stop: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    cpu_ns: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl PeakWatcher {
    /// Starts watching the peak memory of `pid`.
    pub fn watch(pid: u32) -> PeakWatcher {
        PeakWatcher::start(pid, false)
    }

    /// Starts watching the peak memory and the CPU time of `pid`: the
    /// largest sum over its live threads seen, in ns (a thread that ends
    /// takes its time with it, so a lower bound; the provider's threads
    /// live as long as it does).
    pub fn watch_with_cpu(pid: u32) -> PeakWatcher {
        PeakWatcher::start(pid, true)
    }

    fn start(pid: u32, with_cpu: bool) -> PeakWatcher {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kib = Arc::new(AtomicU64::new(0));
        let cpu_ns = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, peak_kib, cpu_ns) = (
                Arc::clone(&stop),
                Arc::clone(&peak_kib),
                Arc::clone(&cpu_ns),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(kib) = process_status_kib(pid, "VmHWM") {
                        peak_kib.fetch_max(kib, Ordering::Relaxed);
                    }
                    if with_cpu && let Some(ns) = live_threads_cpu_ns(pid) {
                        cpu_ns.fetch_max(ns, Ordering::Relaxed);
                    }
                    std::thread::sleep(PEAK_POLL_INTERVAL);
                }
            })
        };
        PeakWatcher {
            stop,
            peak_kib,
            cpu_ns,
            thread: Some(thread),
        }
    }

    /// Stops watching (call it once the process has exited) and returns
    /// the largest `VmHWM` read, in KiB, and the largest CPU time of the
    /// live threads, in ns (0 when none could be read or not asked).
    pub fn finish(mut self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        (
            self.peak_kib.load(Ordering::Relaxed),
            self.cpu_ns.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const STATUS: &str = "Name:\tportmap\nUmask:\t0022\nState:\tS (sleeping)\n\
        VmPeak:\t  123456 kB\nVmHWM:\t   11700 kB\nVmRSS:\t   11664 kB\nThreads:\t3\n";

    #[test]
    fn status_fields_are_read_in_kib_by_exact_name() {
        assert_eq!(status_field_kib(STATUS, "VmHWM"), Some(11_700));
        assert_eq!(status_field_kib(STATUS, "VmRSS"), Some(11_664));
        assert_eq!(status_field_kib(STATUS, "VmPeak"), Some(123_456));
        // A prefix of a field's name is not that field.
        assert_eq!(status_field_kib(STATUS, "Vm"), None);
        assert_eq!(status_field_kib(STATUS, "VmSwap"), None);
        // A field whose value is not a number.
        assert_eq!(status_field_kib(STATUS, "Name"), None);
    }

    #[test]
    fn this_process_has_a_resident_set() {
        let rss = process_status_kib(std::process::id(), "VmRSS").unwrap();
        assert!(rss > 100, "{rss} KiB");
    }

    #[test]
    fn load_averages_are_the_first_three_fields() {
        assert_eq!(
            load_averages_of("1.40 1.02 0.70 2/345 6789\n"),
            Some([1.4, 1.02, 0.7])
        );
        assert_eq!(load_averages_of("1.40 1.02\n"), None);
    }

    #[test]
    fn children_ticks_are_counted_after_the_command_name() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
        // majflt cmajflt utime stime cutime cstime priority ...
        let stat = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194304 10 20 0 0 \
                    7 3 150 25 20 0 1 0 100 1000 200";
        assert_eq!(waited_children_ticks_of(stat), Some(175));
        assert_eq!(waited_children_ticks_of("4242 (short) S 1 2"), None);
    }

    #[test]
    fn the_watcher_sees_a_child_grow() {
        // A shell that holds 64 MiB in a variable for a moment.
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg("x=$(head -c 67108864 /dev/zero | tr '\\0' a); sleep 0.2")
            .spawn()
            .unwrap();
        let watcher = PeakWatcher::watch_with_cpu(child.id());
        child.wait().unwrap();
        let (peak, cpu_ns) = watcher.finish();
        // The shell itself holds the 64 MiB string at least once.
        assert!(peak >= 64 * 1024, "{peak} KiB");
        // It took some CPU time to read it (scheduled at least once).
        assert!(cpu_ns > 0, "{cpu_ns} ns");
    }

    #[test]
    fn schedstat_gives_ns_on_cpu_first() {
        assert_eq!(schedstat_cpu_ns("123456789 2000 17\n"), Some(123_456_789));
        assert_eq!(schedstat_cpu_ns(""), None);
        assert!(live_threads_cpu_ns(std::process::id()).unwrap() > 0);
    }
}
