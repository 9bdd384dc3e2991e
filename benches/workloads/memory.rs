//! Memory: a global allocator that counts the net bytes allocated while a
//! measurement window is open, and the peak they reach, and the memory
//! workloads that use it.
//!
//! Each figure is counted twice: the bytes the program asked for (the
//! size of each `Layout`), and the bytes malloc really handed out, read with
//! glibc's `malloc_usable_size`, which rounds every request up to its size
//! class and so shows what small allocations cost. Neither counts malloc's
//! own header of each chunk (8 bytes on 64-bit glibc).

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

use tokio::runtime::Runtime;

use crate::suite::Job;

/// The system allocator, counting while [`Window`] is open. Outside a
/// window the cost is one relaxed load per call, so the timed workloads run
/// at full speed.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);

/// The bytes asked for, net, since the window opened.
static REQUESTED: Tally = Tally::new();
/// The bytes malloc handed out, net, since the window opened.
static USABLE: Tally = Tally::new();

/// A net count of bytes and the highest it has been.
struct Tally {
    net: AtomicIsize,
    peak: AtomicIsize,
}

impl Tally {
    const fn new() -> Self {
        Self {
            net: AtomicIsize::new(0),
            peak: AtomicIsize::new(0),
        }
    }

    fn add(&self, bytes: isize) {
        let now = self.net.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn reset(&self) {
        self.net.store(0, Ordering::SeqCst);
        self.peak.store(0, Ordering::SeqCst);
    }
}

/// The bytes malloc handed out for `ptr`: what it really holds, rounded up
/// from the request.
fn usable(ptr: *mut u8) -> isize {
    if ptr.is_null() {
        return 0;
    }
    // SAFETY: `ptr` is live and came from the system allocator, which is
    // glibc's malloc, the allocator `malloc_usable_size` asks about.
    unsafe { libc::malloc_usable_size(ptr.cast()) as isize }
}

/// Counts a new allocation of `layout` at `ptr`, if a window is open and
/// the allocation succeeded; returns `ptr`.
fn allocated(ptr: *mut u8, layout: Layout) -> *mut u8 {
    if COUNTING.load(Ordering::Relaxed) && !ptr.is_null() {
        REQUESTED.add(layout.size() as isize);
        USABLE.add(usable(ptr));
    }
    ptr
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counting only reads the sizes, and asks malloc for them only while the
// pointer is live.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `layout` carry over.
        allocated(unsafe { System.alloc(layout) }, layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        allocated(unsafe { System.alloc_zeroed(layout) }, layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            REQUESTED.add(-(layout.size() as isize));
            USABLE.add(-usable(ptr));
        }
        // SAFETY: `ptr` came from this allocator, which is the system's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let counting = COUNTING.load(Ordering::Relaxed);
        let before = if counting { usable(ptr) } else { 0 };
        // SAFETY: as for `dealloc`, with the caller's guarantees on `new_size`.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if counting && !moved.is_null() {
            REQUESTED.add(new_size as isize - layout.size() as isize);
            USABLE.add(usable(moved) - before);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes of the heap, counted both ways.
#[derive(Clone, Copy, Default)]
pub struct Heap {
    /// The bytes the program asked for.
    pub requested: f64,
    /// The bytes malloc handed out for them.
    pub usable: f64,
}

impl Heap {
    /// Each figure divided by `count`.
    fn per(self, count: u64) -> Self {
        let count = count.max(1) as f64;
        Self {
            requested: self.requested / count,
            usable: self.usable / count,
        }
    }
}

/// While it lives, the net change of the heap since it opened. Freeing
/// memory allocated before the window counts as a decrease, which is what it
/// is, so the figure is the growth of live heap memory.
struct Window;

impl Window {
    fn open() -> Self {
        REQUESTED.reset();
        USABLE.reset();
        COUNTING.store(true, Ordering::SeqCst);
        Self
    }

    /// The growth of the live heap since the window opened, in bytes asked for.
    fn net_bytes(&self) -> isize {
        REQUESTED.net.load(Ordering::SeqCst)
    }

    /// The growth of the live heap since the window opened, both ways.
    fn net(&self) -> Heap {
        Heap {
            requested: REQUESTED.net.load(Ordering::SeqCst) as f64,
            usable: USABLE.net.load(Ordering::SeqCst) as f64,
        }
    }

    /// The highest the live heap has grown since the window opened, both ways.
    fn peak(&self) -> Heap {
        Heap {
            requested: REQUESTED.peak.load(Ordering::SeqCst) as f64,
            usable: USABLE.peak.load(Ordering::SeqCst) as f64,
        }
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        COUNTING.store(false, Ordering::SeqCst);
    }
}

/// One version of the parked workload: parks `count` runs and calls the
/// hook once all of them wait.
pub type ParkJob = fn(u64, Box<dyn FnOnce() + Send>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// The heap held per parked run: the growth of the heap from before the
/// first run starts to the moment all `count` are parked, divided by
/// `count`.
pub fn parked(runtime: &Runtime, job: ParkJob, count: u64) -> Heap {
    runtime
        .block_on(runtime.spawn(async move {
            let held = Arc::new(std::sync::Mutex::new(Heap::default()));
            let window = Window::open();
            let reading = held.clone();
            job(
                count,
                Box::new(move || *reading.lock().expect("not poisoned") = window.net()),
            )
            .await;
            let held = *held.lock().expect("not poisoned");
            held.per(count)
        }))
        .expect("the parked workload does not panic")
}

/// The peak growth of the heap while `job` runs at `size`, per operation.
pub fn peak(runtime: &Runtime, job: Job, size: u64) -> Heap {
    runtime
        .block_on(runtime.spawn(async move {
            let window = Window::open();
            job(size).await;
            window.peak().per(size)
        }))
        .expect("the workload does not panic")
}

/// One version of the sequential workload: `count` runs one after another,
/// calling the hook after each with how many are done.
pub type InTurnJob =
    fn(u64, Box<dyn FnMut(u64) + Send>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// The growth of the heap over `count` runs one after another, read at
/// each power of ten from 10^4 on: `(runs done, net bytes since the start)`.
pub fn in_turn(runtime: &Runtime, job: InTurnJob, count: u64) -> Vec<(u64, isize)> {
    runtime
        .block_on(runtime.spawn(async move {
            let readings = Arc::new(std::sync::Mutex::new(Vec::with_capacity(8)));
            let window = Window::open();
            let sink = readings.clone();
            let mut next = 10_000.min(count);
            job(
                count,
                Box::new(move |done| {
                    if done == next {
                        let net = window.net_bytes();
                        sink.lock().expect("not poisoned").push((done, net));
                        next = (next * 10).min(count).max(done + 1);
                    }
                }),
            )
            .await;
            readings.lock().expect("not poisoned").clone()
        }))
        .expect("the sequential workload does not panic")
}
