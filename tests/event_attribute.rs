//! `#[event]` and `#[data]`: the derives they add, the roles `#[event(...)]`
//! passes on, the derives a type already has left alone, and serde's own
//! options honoured. That they need no serde dependency is checked by
//! `.ci/newcomer`, which builds the README's tour in an empty crate.

use typed_workflows::State;
use typed_workflows::prelude::*;

#[event]
struct Plain {
    text: String,
}

// Derives the type already has are not derived a second time.
#[event]
#[derive(Clone, PartialEq)]
struct AlreadyClone {
    n: u32,
}

#[data]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Page {
    page_number: u32,
}

#[event]
struct Chapter {
    pages: Vec<Page>,
    #[serde(rename = "heading")]
    title: String,
}

#[event(start)]
struct Begin {
    pages: u32,
}

#[event(stop)]
struct Finished {
    pages: Vec<Page>,
}

#[data]
#[derive(Default)]
struct Tally {
    chapters: u32,
}

struct Book;

#[workflow_impl(state = Tally)]
impl Book {
    #[step(writes(Plain))]
    async fn outline(&self, ctx: &Context<Self>, begin: Begin) -> Chapter {
        ctx.write_event_to_stream(Plain {
            text: format!("{} pages", begin.pages),
        });
        ctx.edit_state(|tally| tally.chapters += 1);
        Chapter {
            pages: (1..=begin.pages)
                .map(|page_number| Page { page_number })
                .collect(),
            title: "Loomings".to_owned(),
        }
    }

    #[step]
    async fn bind(&self, chapter: Chapter) -> Finished {
        Finished {
            pages: chapter.pages,
        }
    }
}

#[tokio::test]
async fn events_made_with_the_attribute_run_with_their_roles() {
    let state = State::new(Tally::default());
    let mut handler = Book
        .runner()
        .run_with_state(Begin { pages: 2 }, state.clone());
    let mut stream = handler.stream_events().unwrap();
    let mut texts = Vec::new();
    while let Some(event) = stream.next().await {
        if let Some(plain) = event.downcast_ref::<Plain>() {
            texts.push(plain.text.clone());
        }
    }
    let finished = handler.await.unwrap();
    assert_eq!(
        finished.pages,
        [Page { page_number: 1 }, Page { page_number: 2 }]
    );
    assert_eq!(texts, ["2 pages"]);
    assert_eq!(state.read(|tally| tally.chapters), 1);
}

#[test]
fn serde_options_on_the_type_and_its_fields_are_honoured() {
    let chapter = Chapter {
        pages: vec![Page { page_number: 7 }],
        title: "The Carpet-Bag".to_owned(),
    };
    assert_eq!(
        serde_json::to_value(&chapter).unwrap(),
        serde_json::json!({ "pages": [{ "pageNumber": 7 }], "heading": "The Carpet-Bag" })
    );
    let back: Chapter = serde_json::from_value(serde_json::to_value(&chapter).unwrap()).unwrap();
    assert_eq!(back.pages, chapter.pages);
}

#[test]
fn an_event_keeps_the_derives_it_had_and_gains_the_others() {
    let event = AlreadyClone { n: 3 };
    assert_eq!(event.clone(), event);
    assert_eq!(format!("{event:?}"), "AlreadyClone { n: 3 }");
    assert_eq!(<AlreadyClone as Event>::NAME, "AlreadyClone");
    assert_eq!(
        serde_json::to_string(&Plain {
            text: "hi".to_owned()
        })
        .unwrap(),
        r#"{"text":"hi"}"#
    );
}

#[event]
enum Verdict {
    Approved,
    Rejected { reason: String },
}

#[event]
struct Score(u32, String);

// Serde's derives written on the type, from the prelude, are kept, and name
// serde through the facade as the added ones do.
#[event]
#[derive(Serialize, Deserialize, PartialEq)]
struct SerdeWritten {
    n: u32,
}

#[test]
fn enums_tuple_structs_and_written_serde_derives_round_trip() {
    let verdicts = vec![
        Verdict::Approved,
        Verdict::Rejected {
            reason: "late".to_owned(),
        },
    ];
    let json = serde_json::to_string(&verdicts).unwrap();
    assert_eq!(json, r#"["Approved",{"Rejected":{"reason":"late"}}]"#);
    let back: Vec<Verdict> = serde_json::from_str(&json).unwrap();
    assert!(matches!(&back[1], Verdict::Rejected { reason } if reason == "late"));

    let score: Score = serde_json::from_str(r#"[3,"ok"]"#).unwrap();
    assert_eq!((score.0, score.1.as_str()), (3, "ok"));

    let written = SerdeWritten { n: 4 };
    assert_eq!(serde_json::to_string(&written).unwrap(), r#"{"n":4}"#);
    assert_eq!(written.clone(), written);
}
