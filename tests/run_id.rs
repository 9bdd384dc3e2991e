//! `RunId`: ids made one after another sort in that order, within one
//! millisecond too; the text is a version-7 UUID's, which parses back, and
//! is what serde writes; a text that is not a run id is refused, saying why.

use std::time::{Duration, SystemTime};

use typed_workflows::prelude::*;
use typed_workflows::{ParseRunIdError, RunId};

struct Quick;

#[workflow_impl]
impl Quick {
    #[step]
    async fn only(&self, _start: StartEvent) -> StopEvent<()> {
        StopEvent::new(())
    }
}

/// The ids of `n` runs, begun one after another as fast as the runner can:
/// many within one millisecond.
fn ids(n: usize) -> Vec<RunId> {
    let runner = Quick.runner();
    (0..n)
        .map(|_| runner.run(StartEvent::new()).run_id())
        .collect()
}

#[tokio::test]
async fn ids_sort_in_the_order_the_runs_began() {
    let before = SystemTime::now() - Duration::from_millis(1);
    let ids = ids(2_000);
    let after = SystemTime::now();
    assert!(
        ids.windows(2).all(|pair| pair[0] < pair[1]),
        "ids out of order"
    );
    // More runs than milliseconds went by: some shared one.
    let shared = ids
        .windows(2)
        .any(|pair| pair[0].created_at() == pair[1].created_at());
    assert!(
        shared,
        "no two ids of one millisecond: the test proved nothing"
    );
    assert!(
        ids.iter()
            .all(|id| (before..=after).contains(&id.created_at()))
    );
    // The number sorts as the id does.
    assert!(
        ids.windows(2)
            .all(|pair| pair[0].as_u128() < pair[1].as_u128())
    );
}

#[tokio::test]
async fn the_text_is_a_version_7_uuid_that_parses_back() {
    for id in ids(50) {
        let text = id.to_string();
        let groups: Vec<&str> = text.split('-').collect();
        assert_eq!(
            groups.iter().map(|group| group.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12],
            "{text}"
        );
        assert!(groups[2].starts_with('7'), "version of {text}");
        assert!(
            matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "variant of {text}"
        );
        let bits = id.as_u128();
        assert_eq!((bits >> 76) & 0xf, 7);
        assert_eq!((bits >> 62) & 0b11, 0b10);
        assert_eq!(format!("{bits:032x}"), text.replace('-', ""));
        assert_eq!(text.parse::<RunId>(), Ok(id));
        assert_eq!(text.to_uppercase().parse::<RunId>(), Ok(id));
    }
}

#[tokio::test]
async fn serde_writes_the_text_and_reads_it_back() {
    let id = ids(1)[0];
    let json = serde_json::to_value(id).unwrap();
    assert_eq!(json, serde_json::Value::String(id.to_string()));
    assert_eq!(serde_json::from_value::<RunId>(json).unwrap(), id);
    let error = serde_json::from_str::<RunId>(r#""run-0000002a""#).unwrap_err();
    assert!(error.to_string().contains("is not a run id"), "{error}");
    let error = serde_json::from_str::<RunId>("42").unwrap_err();
    assert!(error.to_string().contains("a run id"), "{error}");
}

#[test]
fn a_text_that_is_no_run_id_is_refused_saying_why() {
    for text in [
        "",
        "run-0000002a",
        "019ad9e45b3c7a418f2e3c9d1b7e6a05",
        "019ad9e4-5b3c-7a41-8f2e-3c9d1b7e6a0",
        "019ad9e4-5b3c-7a41-8f2e-3c9d1b7e6a05-",
        "019ad9e4-5b3c-7a41-8f2e-3c9d1b7e6a0g",
        "+19ad9e4-5b3c-7a41-8f2e-3c9d1b7e6a05",
    ] {
        assert_eq!(
            text.parse::<RunId>(),
            Err(ParseRunIdError::Form(text.to_owned())),
            "{text:?}"
        );
    }
    // A version-4 UUID, and a version-7 one of another variant.
    for text in [
        "019ad9e4-5b3c-4a41-8f2e-3c9d1b7e6a05",
        "019ad9e4-5b3c-7a41-cf2e-3c9d1b7e6a05",
    ] {
        let error = text.parse::<RunId>().unwrap_err();
        assert_eq!(error, ParseRunIdError::Version(text.to_owned()));
        assert!(error.to_string().contains("version-7 UUID"), "{error}");
    }
    let id: RunId = "019ad9e4-5b3c-7a41-8f2e-3c9d1b7e6a05".parse().unwrap();
    let created = id
        .created_at()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    assert_eq!(created.as_millis(), 0x019a_d9e4_5b3c);
}
