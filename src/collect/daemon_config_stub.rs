use crate::snapshot::DaemonConfig;
pub fn resolve(
    args: &[String],
    _read_file: impl Fn(&str) -> Option<Result<String, String>>,
) -> DaemonConfig {
    DaemonConfig {
        Args: args.to_vec(),
        ..Default::default()
    }
}
pub fn find_dockerd_args(_p: &std::path::Path) -> Option<Vec<String>> {
    None
}
