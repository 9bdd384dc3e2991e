//! [`RunId`]: the id of a run, unique across processes and sorted by the
//! time the run began.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Identifies one run: unique across processes and machines, and ordered by
/// the time the run began.
///
/// It is a version-7 UUID (RFC 9562): 48 bits of Unix milliseconds, then
/// the version and variant bits, then 74 bits that count up within a
/// millisecond from a random start. The ids one process makes sort in the
/// order it made them, even within a millisecond; ids from different
/// processes collide with negligible probability. It is shown, parsed and
/// stored by serde as the UUID's hyphenated text.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::RunId;
///
/// struct Who;
///
/// #[workflow_impl]
/// impl Who {
///     #[step]
///     async fn name(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<String> {
///         StopEvent::new(ctx.run_id().to_string())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let handler = Who.runner().run(StartEvent::new());
/// let id = handler.run_id();
/// let text = handler.await?; // "019ad9e4-5b3c-7a41-8f2e-3c9d1b7e6a05", say
/// assert_eq!(text, id.to_string());
/// assert_eq!(text.parse::<RunId>()?, id);
/// assert!(id.created_at() <= std::time::SystemTime::now());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId {
    // Two halves rather than a `u128`, whose 16-byte alignment would pad
    // every run's context and task; ordered as the `u128` is.
    high: u64,
    low: u64,
}

/// How many bits follow the timestamp: the version and variant bits among
/// them.
const AFTER_TIME: u32 = 80;
/// The version nibble, 7, in place.
const VERSION: u128 = 0x7 << 76;
const VERSION_MASK: u128 = 0xf << 76;
/// The variant bits, `10`, in place.
const VARIANT: u128 = 0b10 << 62;
const VARIANT_MASK: u128 = 0b11 << 62;
/// The 74 bits that count within a millisecond, before the version and
/// variant bits are put among them.
const COUNTER_BITS: u32 = 74;
const COUNTER_MAX: u128 = (1 << COUNTER_BITS) - 1;

impl RunId {
    /// A new id, later than every id this process made before.
    #[doc(hidden)]
    pub fn next() -> Self {
        /// The millisecond and the counter of the last id made.
        static LAST: Mutex<(u64, u128)> = Mutex::new((0, 0));
        let now = unix_millis(SystemTime::now());
        let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
        let (millis, counter) = match *last {
            // Within the last id's millisecond, or after the clock went
            // back: count on from it.
            (millis, counter) if now <= millis && counter < COUNTER_MAX => (millis, counter + 1),
            (millis, _) if now <= millis => (millis + 1, fresh_counter()),
            _ => (now, fresh_counter()),
        };
        *last = (millis, counter);
        Self::from_parts(millis, counter)
    }

    /// The id of `millis` and the 74 bits of `counter`.
    fn from_parts(millis: u64, counter: u128) -> Self {
        let high = (counter >> 62) << 64;
        let low = counter & ((1 << 62) - 1);
        let time = u128::from(millis & ((1 << 48) - 1)) << AFTER_TIME;
        Self::of_u128(time | VERSION | high | VARIANT | low)
    }

    /// The id as a number: its 128 bits, the UUID's bytes read big-endian.
    pub fn as_u128(self) -> u128 {
        (u128::from(self.high) << 64) | u128::from(self.low)
    }

    /// The id whose 128 bits are `n`.
    fn of_u128(n: u128) -> Self {
        Self {
            high: (n >> 64) as u64,
            low: n as u64,
        }
    }

    /// When the run began, to the millisecond.
    pub fn created_at(self) -> SystemTime {
        let millis = (self.as_u128() >> AFTER_TIME) as u64;
        UNIX_EPOCH + Duration::from_millis(millis)
    }

    /// The id folded to 64 bits, which seeds the jitter of the run's
    /// retries.
    #[doc(hidden)]
    pub fn seed(self) -> u64 {
        (self.as_u128() ^ (self.as_u128() >> 64)) as u64
    }
}

/// The milliseconds from the Unix epoch to `time`; 0 before it.
fn unix_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

/// A random start for the counter of a new millisecond: 73 random bits,
/// its top bit clear so that it can count on within the millisecond.
fn fresh_counter() -> u128 {
    let (high, low) = random_pair();
    ((u128::from(high) << 64) | u128::from(low)) & (COUNTER_MAX >> 1)
}

/// Two random numbers: hashes of a sequence number, keyed by the random
/// keys std draws from the operating system once for this process.
fn random_pair() -> (u64, u64) {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    static DRAWN: AtomicU64 = AtomicU64::new(0);
    let keys = KEYS.get_or_init(RandomState::new);
    let drawn = DRAWN.fetch_add(1, Ordering::Relaxed);
    (keys.hash_one((drawn, 0u8)), keys.hash_one((drawn, 1u8)))
}

/// `RunId(` and the UUID's text `)`.
impl fmt::Debug for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RunId({self})")
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.as_u128();
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            n >> 96,
            (n >> 80) & 0xffff,
            (n >> 64) & 0xffff,
            (n >> 48) & 0xffff,
            n & 0xffff_ffff_ffff
        )
    }
}

/// Why a text is not a [`RunId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseRunIdError {
    /// Not of the UUID's form, 32 hex digits in groups of 8, 4, 4, 4 and
    /// 12 joined by `-`.
    #[error(
        "`{0}` is not a run id: a run id is a UUID, 32 hex digits in groups of 8-4-4-4-12 joined by `-`, like `019ad9e4-5b3c-7a41-8f2e-3c9d1b7e6a05`"
    )]
    Form(String),
    /// A UUID, but not of version 7 with the RFC 9562 variant, as every
    /// run id is.
    #[error(
        "`{0}` is a UUID but not a run id: a run id is a version-7 UUID, with `7` as the first digit of its third group and `8`, `9`, `a` or `b` as the first of its fourth"
    )]
    Version(String),
}

impl FromStr for RunId {
    type Err = ParseRunIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
        let form = || ParseRunIdError::Form(text.to_owned());
        let groups: Vec<&str> = text.split('-').collect();
        let shaped = groups.len() == GROUPS.len()
            && groups.iter().zip(GROUPS).all(|(group, len)| {
                group.len() == len && group.bytes().all(|byte| byte.is_ascii_hexdigit())
            });
        if !shaped {
            return Err(form());
        }
        let n = u128::from_str_radix(&groups.concat(), 16).map_err(|_| form())?;
        if n & VERSION_MASK != VERSION || n & VARIANT_MASK != VARIANT {
            return Err(ParseRunIdError::Version(text.to_owned()));
        }
        Ok(Self::of_u128(n))
    }
}

impl Serialize for RunId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RunId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(RunIdVisitor)
    }
}

/// Reads a [`RunId`] from its text.
struct RunIdVisitor;

impl Visitor<'_> for RunIdVisitor {
    type Value = RunId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a run id, as the text of a version-7 UUID")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<RunId, E> {
        text.parse().map_err(E::custom)
    }
}
