//! Engine benchmarks on generated landing zones of 10, 100, 1,000 and 10,000
//! nodes mixing all five products (see `support/landing_zone.rs`).
//!
//! - `flows_rules/N`: `portmap_core::compute` — check and resolve the
//!   topology, compute every flow, shape the rules (what `portmap_flows`
//!   and every cloud shape start with).
//! - `output/N`: the serde output objects `portmap_flows` encodes
//!   (`FlowsOutput::new`), from a computation.
//! - `aws/N`, `azure/N`, `gcp/N`: each cloud shape, from a computation.
//!
//! Run: `cargo bench -p portmap-core --bench engine` (add a filter such as
//! `flows_rules` to run one group). `scripts/bench` runs it and collects the
//! medians; results and targets are in docs/performance.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use portmap_core::cloud::{aws, azure, gcp};
use portmap_core::output::FlowsOutput;
use portmap_core::{Catalog, compute};

/// The provider's allocator: the benchmarks measure the engine as the
/// provider runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use portmap_landing_zone::{SIZES, landing_zone};

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("the built-in catalog loads")
}

/// Larger zones take long enough per iteration that 10 samples of one
/// iteration each are plenty.
fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
) {
    if n >= 1_000 {
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
    } else {
        group.sampling_mode(SamplingMode::Auto);
        group.sample_size(50);
    }
}

fn flows_rules(c: &mut Criterion) {
    let catalog = catalog();
    let mut group = c.benchmark_group("flows_rules");
    for n in SIZES {
        let topology = landing_zone(n);
        configure(&mut group, n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &topology, |b, t| {
            b.iter(|| compute(black_box(t), catalog).expect("the landing zone computes"));
        });
    }
    group.finish();
}

fn output(c: &mut Criterion) {
    let catalog = catalog();
    let mut group = c.benchmark_group("output");
    for n in SIZES {
        let topology = landing_zone(n);
        let computation = compute(&topology, catalog).expect("the landing zone computes");
        configure(&mut group, n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &computation, |b, comp| {
            b.iter(|| FlowsOutput::new(black_box(comp)));
        });
    }
    group.finish();
}

fn cloud_shapes(c: &mut Criterion) {
    let catalog = catalog();
    let zones: Vec<_> = SIZES.iter().map(|&n| (n, landing_zone(n))).collect();
    let computations: Vec<_> = zones
        .iter()
        .map(|(n, t)| (*n, compute(t, catalog).expect("the landing zone computes")))
        .collect();
    let aws_options = aws::AwsOptions::default();
    let azure_options = azure::AzureOptions::default();
    let gcp_options = gcp::GcpOptions::default();

    let mut group = c.benchmark_group("aws");
    for (n, comp) in &computations {
        configure(&mut group, *n);
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), comp, |b, comp| {
            b.iter(|| aws::shape(black_box(comp), &aws_options));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("azure");
    for (n, comp) in &computations {
        configure(&mut group, *n);
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), comp, |b, comp| {
            b.iter(|| azure::shape(black_box(comp), &azure_options));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("gcp");
    for (n, comp) in &computations {
        configure(&mut group, *n);
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), comp, |b, comp| {
            b.iter(|| gcp::shape(black_box(comp), &gcp_options));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = flows_rules, output, cloud_shapes
}
criterion_main!(benches);
