//! Log lines to stdout in batches: the access log's one line per request
//! without one `write` system call per request.
//!
//! `tracing_subscriber::fmt` writes each line with its own `write(2)` to
//! stdout (Rust's stdout is line-buffered). Here `info` and quieter lines are
//! appended to a buffer, which goes out when it holds [`BATCH_BYTES`], every
//! [`FLUSH_INTERVAL`] (a flusher thread), and when the [`FlushOnDrop`] guard
//! is dropped at exit. A `warn` or `error` line goes out at once, with
//! everything buffered before it, so problems are never late and lines keep
//! their order. The cost: an `info` line may show up to [`FLUSH_INTERVAL`]
//! late, and a process killed with SIGKILL loses at most that much of them.
//!
//! Not `tracing-appender`'s non-blocking writer: it hands every line to its
//! thread through a channel (an allocation, and a wake-up when the thread is
//! parked) and writes it with its own call, which is the cost this avoids.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// A buffer this full is written out by the line that filled it.
pub const BATCH_BYTES: usize = 32 * 1024;
/// The longest an `info` line waits in the buffer.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(100);

/// Where the lines finally go (stdout in the binaries; a buffer in tests).
type Sink = Box<dyn Write + Send>;

struct Shared {
    buffer: Vec<u8>,
    sink: Sink,
}

impl Shared {
    fn flush(&mut self) {
        if !self.buffer.is_empty() {
            // Like the fmt layer's own writes: a log line that cannot be
            // written is dropped, it does not fail the request.
            let _ = self.sink.write_all(&self.buffer);
            let _ = self.sink.flush();
            self.buffer.clear();
        }
    }
}

/// The [`MakeWriter`] for `tracing_subscriber::fmt().with_writer(..)`.
#[derive(Clone)]
pub struct BatchedWriter {
    shared: Arc<Mutex<Shared>>,
}

/// Writes out what is buffered when dropped: keep it alive in `main`.
#[must_use = "dropping it at once writes the buffer out at once, and the lines after it only every FLUSH_INTERVAL"]
pub struct FlushOnDrop {
    shared: Arc<Mutex<Shared>>,
}

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        lock(&self.shared).flush();
    }
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A panic while appending leaves at worst a partial line: keep logging.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl BatchedWriter {
    /// Batches into stdout, with a flusher thread every [`FLUSH_INTERVAL`].
    pub fn stdout() -> (Self, FlushOnDrop) {
        let (writer, guard) = Self::new(Box::new(io::stdout()));
        writer.spawn_flusher();
        (writer, guard)
    }

    fn spawn_flusher(&self) {
        let weak = Arc::downgrade(&self.shared);
        std::thread::Builder::new()
            .name("log-flush".into())
            .spawn(move || {
                // Ends when the writer and its guard are gone.
                while let Some(shared) = weak.upgrade() {
                    lock(&shared).flush();
                    drop(shared);
                    std::thread::sleep(FLUSH_INTERVAL);
                }
            })
            .expect("spawning the log flusher thread");
    }

    /// Batches into `sink`, flushed only by size, level and the guard.
    fn new(sink: Sink) -> (Self, FlushOnDrop) {
        let shared = Arc::new(Mutex::new(Shared {
            buffer: Vec::with_capacity(BATCH_BYTES + 1024),
            sink,
        }));
        let guard = FlushOnDrop {
            shared: shared.clone(),
        };
        (Self { shared }, guard)
    }
}

/// One line's writer: the fmt layer formats a whole line, then writes it.
pub struct LineWriter<'a> {
    shared: &'a Mutex<Shared>,
    urgent: bool,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut shared = lock(self.shared);
        shared.buffer.extend_from_slice(bytes);
        if shared.buffer.len() >= BATCH_BYTES {
            shared.flush();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        lock(self.shared).flush();
        Ok(())
    }
}

impl Drop for LineWriter<'_> {
    fn drop(&mut self) {
        if self.urgent {
            lock(self.shared).flush();
        }
    }
}

impl<'a> MakeWriter<'a> for BatchedWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter {
            shared: &self.shared,
            urgent: false,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        LineWriter {
            shared: &self.shared,
            // Level order: ERROR < WARN < INFO.
            urgent: *meta.level() <= Level::WARN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink the test can read, counting the writes it received.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Recorder {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let mut inner = self.0.lock().unwrap();
            inner.0.extend_from_slice(bytes);
            inner.1 += 1;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Recorder {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().0.clone()).unwrap()
        }
        fn writes(&self) -> usize {
            self.0.lock().unwrap().1
        }
    }

    fn subscriber(writer: BatchedWriter) -> impl tracing::Subscriber {
        tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(false)
            .with_max_level(Level::INFO)
            .finish()
    }

    #[test]
    fn info_lines_wait_for_the_guard_and_go_out_in_one_write() {
        let sink = Recorder::default();
        let (writer, guard) = BatchedWriter::new(Box::new(sink.clone()));
        tracing::subscriber::with_default(subscriber(writer), || {
            tracing::info!("first");
            tracing::info!("second");
        });
        assert_eq!(sink.text(), "", "nothing written before a flush");
        drop(guard);
        let text = sink.text();
        assert!(text.contains("first") && text.contains("second"), "{text}");
        assert!(text.find("first") < text.find("second"), "in order: {text}");
        assert_eq!(sink.writes(), 1, "one write for both lines");
    }

    #[test]
    fn a_warning_goes_out_at_once_with_the_lines_before_it() {
        let sink = Recorder::default();
        let (writer, _guard) = BatchedWriter::new(Box::new(sink.clone()));
        tracing::subscriber::with_default(subscriber(writer), || {
            tracing::info!("before");
            tracing::warn!("trouble");
            tracing::info!("after");
        });
        let text = sink.text();
        assert!(
            text.contains("before") && text.contains("trouble"),
            "{text}"
        );
        assert!(text.find("before") < text.find("trouble"), "{text}");
        assert!(!text.contains("after"), "info after it still waits: {text}");
    }

    #[test]
    fn a_full_buffer_is_written_by_the_line_that_filled_it() {
        let sink = Recorder::default();
        let (writer, _guard) = BatchedWriter::new(Box::new(sink.clone()));
        let filler = "x".repeat(1000);
        tracing::subscriber::with_default(subscriber(writer), || {
            for _ in 0..(BATCH_BYTES / 1000 + 1) {
                tracing::info!("{filler}");
            }
        });
        assert_eq!(sink.writes(), 1);
        assert!(sink.text().len() >= BATCH_BYTES);
    }

    #[test]
    fn the_flusher_thread_writes_within_the_interval_and_ends_with_the_writer() {
        let sink = Recorder::default();
        let (writer, guard) = BatchedWriter::new(Box::new(sink.clone()));
        writer.spawn_flusher();
        let weak = Arc::downgrade(&writer.shared);
        tracing::subscriber::with_default(subscriber(writer), || tracing::info!("late"));
        std::thread::sleep(FLUSH_INTERVAL * 3);
        assert!(
            sink.text().contains("late"),
            "flushed by the thread, guard still alive"
        );
        drop(guard);
        std::thread::sleep(FLUSH_INTERVAL * 3);
        assert!(weak.upgrade().is_none(), "the flusher let go of the buffer");
    }
}
