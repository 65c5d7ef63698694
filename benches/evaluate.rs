//! The evaluation engine on 10,000 containers (a fixture snapshot's containers repeated):
//! every check of both embedded benchmarks. A check that scans all objects per object, or a
//! per-object value built twice, shows here as a regression. `cargo bench --bench evaluate`.
use criterion::{Criterion, criterion_group, criterion_main};
use dockbench::engine::{cel_env, evaluate, load_embedded};
use dockbench::snapshot::Snapshot;

const CONTAINERS: usize = 10_000;

fn snapshot() -> Snapshot {
    let text = include_str!("../tests/fixtures/snapshots/risky.json");
    let mut snap = Snapshot::from_json(text).expect("the fixture snapshot parses");
    let seed = std::mem::take(&mut snap.containers);
    snap.containers = (0..CONTAINERS)
        .map(|i| {
            let mut c = seed[i % seed.len()].clone();
            c.Id = format!("{i:064x}");
            c.Name = format!("gen-{i}");
            c
        })
        .collect();
    snap
}

fn bench(c: &mut Criterion) {
    let env = cel_env();
    let benches: Vec<_> = ["cis-docker-1.6.0", "dockbench-practices"]
        .into_iter()
        .map(|id| load_embedded(id, &env).expect("embedded benchmark loads"))
        .collect();
    let checks: Vec<_> = benches.iter().flat_map(|b| &b.checks).collect();
    let snap = snapshot();
    let mut group = c.benchmark_group("evaluate");
    group.sample_size(10);
    group.bench_function("10k containers, CIS 1.6.0 + practices", |b| {
        b.iter(|| evaluate(&checks, &snap, &env))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
