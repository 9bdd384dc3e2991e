//! Typed fan-out and fan-in: a step that returns a `Vec` starts one branch
//! per element, and a step that takes a `Vec<E>` receives, once, the `E`s of
//! every branch in branch order, after all of them have finished: branches
//! that produced nothing included, fan-outs of no element included, and
//! fan-outs nested in the branches of others.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Chunk {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Summary {
    n: u32,
}

/// Splits `0..items` into chunks, summarises those not divisible by 3 (the
/// even ones after a yield, so that branches finish out of order) and
/// gathers the summaries.
struct MapReduce;

#[workflow_impl]
impl MapReduce {
    #[step]
    async fn split(&self, start: StartEvent) -> Result<Vec<Chunk>> {
        let items: u32 = start.get("items")?;
        Ok((0..items).map(|n| Chunk { n }).collect())
    }

    #[step(num_workers = 8)]
    async fn work(&self, chunk: Chunk) -> Option<Summary> {
        if chunk.n.is_multiple_of(2) {
            tokio::task::yield_now().await;
        }
        (!chunk.n.is_multiple_of(3)).then_some(Summary { n: chunk.n })
    }

    #[step]
    async fn combine(&self, summaries: Vec<Summary>) -> StopEvent<Vec<u32>> {
        StopEvent::new(summaries.into_iter().map(|summary| summary.n).collect())
    }
}

async fn map_reduce(items: u32) -> Vec<u32> {
    MapReduce
        .runner()
        .run(StartEvent::new().with("items", items))
        .await
        .unwrap()
}

fn expected(items: u32) -> Vec<u32> {
    (0..items).filter(|n| n % 3 != 0).collect()
}

#[tokio::test]
async fn a_fan_out_of_no_element_gathers_an_empty_vec() {
    assert_eq!(map_reduce(0).await, Vec::<u32>::new());
}

#[tokio::test]
async fn a_fan_out_of_one_element_whose_branch_produced_nothing_gathers_nothing() {
    assert_eq!(map_reduce(1).await, Vec::<u32>::new());
}

#[tokio::test]
async fn a_few_branches_are_gathered_in_branch_order() {
    assert_eq!(map_reduce(10).await, expected(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_branches_are_gathered_once_all_have_finished() {
    assert_eq!(map_reduce(100_000).await, expected(100_000));
}

// --- nested fan-outs --------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Region {
    cities: Vec<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct City {
    people: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Population {
    people: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct RegionTotal {
    people: u64,
    cities: usize,
}

/// A census: regions fan out to cities, each region's cities are gathered
/// into a total, and the totals are gathered in turn.
struct Census;

#[workflow_impl]
impl Census {
    #[step]
    async fn regions(&self, start: StartEvent) -> Result<Vec<Region>> {
        let regions: Vec<Vec<u64>> = start.get("regions")?;
        Ok(regions
            .into_iter()
            .map(|cities| Region { cities })
            .collect())
    }

    #[step]
    async fn cities(&self, region: Region) -> Vec<City> {
        region
            .cities
            .into_iter()
            .map(|people| City { people })
            .collect()
    }

    #[step]
    async fn count(&self, city: City) -> Population {
        tokio::task::yield_now().await;
        Population {
            people: city.people,
        }
    }

    #[step]
    async fn region_total(&self, cities: Vec<Population>) -> RegionTotal {
        RegionTotal {
            people: cities.iter().map(|city| city.people).sum(),
            cities: cities.len(),
        }
    }

    #[step]
    async fn national_total(&self, regions: Vec<RegionTotal>) -> StopEvent<Vec<(u64, usize)>> {
        StopEvent::new(
            regions
                .into_iter()
                .map(|region| (region.people, region.cities))
                .collect(),
        )
    }
}

#[tokio::test]
async fn nested_fan_outs_gather_inside_out_including_an_empty_one() {
    let regions = vec![vec![10, 20], vec![], vec![5, 5, 5]];
    let totals = Census
        .runner()
        .run(StartEvent::new().with("regions", &regions))
        .await
        .unwrap();
    assert_eq!(totals, [(30, 2), (0, 0), (15, 3)]);
}

// --- what else stays in a branch --------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Failing {
    n: u32,
}

/// Branches that send their summary instead of returning it, and one whose
/// failure is caught; `Option<Vec<_>>` fans out too.
struct Detours;

#[workflow_impl]
impl Detours {
    #[step]
    async fn split(&self, start: StartEvent) -> Result<Option<Vec<Chunk>>> {
        let items: u32 = start.get("items")?;
        Ok(Some((0..items).map(|n| Chunk { n }).collect()))
    }

    #[step(sends(Summary))]
    async fn work(&self, ctx: &Context<Self>, chunk: Chunk) -> Option<Failing> {
        if chunk.n == 2 {
            return Some(Failing { n: chunk.n });
        }
        ctx.send_event(Summary { n: chunk.n });
        None
    }

    #[step]
    async fn fail(&self, failing: Failing) -> Result<Summary> {
        anyhow::bail!("chunk {} cannot be summarised", failing.n)
    }

    #[step(catches(fail), max_recoveries = 10)]
    async fn stand_in(&self, _failed: typed_workflows::StepFailedEvent) -> Summary {
        Summary { n: 100 }
    }

    #[step]
    async fn combine(&self, summaries: Vec<Summary>) -> StopEvent<Vec<u32>> {
        StopEvent::new(summaries.into_iter().map(|summary| summary.n).collect())
    }
}

#[tokio::test]
async fn sent_events_and_recovered_failures_stay_in_their_branch() {
    let gathered = Detours
        .runner()
        .run(StartEvent::new().with("items", 5))
        .await
        .unwrap();
    assert_eq!(gathered, [0, 1, 100, 3, 4]);
}
