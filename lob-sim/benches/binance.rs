//! `binance/replay_capture`: parse and synchronise the shared capture (with the BBO check,
//! no CSV), throughput in lines. Skips with a notice when `../shared/data` is absent.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall_lob_sim::data::binance::{ReplayOptions, replay_capture};
use std::path::PathBuf;

const CAPTURE: &str = "../shared/data/binance-usdm-btcusdt/usdm_btcusdt_20240808.gz";

fn replay(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(CAPTURE);
    if !path.exists() {
        println!("skipping: {CAPTURE} not found");
        return;
    }
    let options = ReplayOptions::default();
    let lines = match replay_capture(&path, &options, None) {
        Ok(stats) => stats.reader.lines,
        Err(e) => {
            println!("skipping: {CAPTURE} does not replay: {e}");
            return;
        }
    };
    let mut group = c.benchmark_group("binance");
    group.throughput(Throughput::Elements(lines));
    group.sample_size(10);
    group.bench_function("replay_capture", |b| {
        b.iter(|| replay_capture(&path, &options, None).map(|s| s.events))
    });
    group.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);
