//! BuildKit's DiskUsage answer as dockerd's /grpc sends it (gRPC framing, protobuf records).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(records) = dockbench::collect::build_cache::decode(bytes::Bytes::copy_from_slice(data)) {
        let _ = dockbench::collect::build_cache::reclaimable(&records);
    }
});
