//! Progress through a long read, as a bar on the terminal (never in a pipe, never under
//! --quiet, never for a small file that is read before a bar would be seen).

use indicatif::{ProgressBar, ProgressStyle};

/// What a long read reports as it goes.
pub trait Progress {
    fn started(&mut self, name: &str, len: Option<u64>);
    fn advanced(&mut self, done: u64);
    fn finished(&mut self);
}

/// Files smaller than this are read before a bar would be seen.
const MIN_BYTES: u64 = 1024 * 1024;

/// A bar of bytes read, on stderr, when `shown` (a terminal, not --quiet).
pub struct Bar {
    shown: bool,
    bar: Option<ProgressBar>,
}

impl Bar {
    pub fn new(shown: bool) -> Bar {
        Bar { shown, bar: None }
    }
}

impl Progress for Bar {
    fn started(&mut self, name: &str, len: Option<u64>) {
        let Some(len) = len.filter(|&len| self.shown && len >= MIN_BYTES) else {
            return;
        };
        let bar = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_string());
        self.bar = Some(bar);
    }

    fn advanced(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn finished(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.finished();
    }
}
