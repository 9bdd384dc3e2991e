//! Memory: a global allocator that counts the net bytes allocated while a
//! measurement window is open, and the two memory workloads that use it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

use tokio::runtime::Runtime;

/// The system allocator, counting while [`Window`] is open. Outside a
/// window the cost is one relaxed load per call, so the timed workloads run
/// at full speed.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static NET_BYTES: AtomicIsize = AtomicIsize::new(0);

fn count(bytes: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        NET_BYTES.fetch_add(bytes, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counting only reads the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the caller's guarantees for `layout` carry over.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: `ptr` came from this allocator, which is the system's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        // SAFETY: as for `dealloc`, with the caller's guarantees on `new_size`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// While it lives, the net change of the heap since it opened. Freeing
/// memory allocated before the window counts as a decrease, which is what it
/// is, so the figure is the growth of live heap memory.
struct Window;

impl Window {
    fn open() -> Self {
        NET_BYTES.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        Self
    }

    fn net_bytes(&self) -> isize {
        NET_BYTES.load(Ordering::SeqCst)
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

/// The heap held per parked run, in bytes: the growth of the heap from
/// before the first run starts to the moment all `count` are parked,
/// divided by `count`.
pub fn parked(runtime: &Runtime, job: ParkJob, count: u64) -> f64 {
    runtime
        .block_on(runtime.spawn(async move {
            let held = Arc::new(AtomicIsize::new(0));
            let window = Window::open();
            let reading = held.clone();
            job(
                count,
                Box::new(move || reading.store(window.net_bytes(), Ordering::SeqCst)),
            )
            .await;
            held.load(Ordering::SeqCst) as f64 / count as f64
        }))
        .expect("the parked workload does not panic")
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
