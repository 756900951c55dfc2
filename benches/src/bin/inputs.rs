//! Writes the benchmark bodies (Trigger.dev events of each size) to the folder given, so the
//! Node and worker benchmarks measure the same bytes as the Rust ones.

use hookguard_benches::{SIZES, trigger_event};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "target/bench-inputs".into());
    std::fs::create_dir_all(&dir).expect("the folder can be created");
    for size in SIZES {
        let path = format!("{dir}/trigger-{size}.json");
        std::fs::write(&path, trigger_event(size)).expect("the file can be written");
    }
    println!("{dir}");
}
