//! CIS metadata of the shipped benchmark versions, checked against the facts in
//! cis-docker-versions.md (profile sizes, L2-only set, assessment changes, renumbering).
use std::collections::BTreeMap;

fn checks(benchmark: &str) -> Vec<serde_json::Value> {
    let out = assert_cmd::Command::cargo_bin("dockbench")
        .unwrap()
        .args([
            "checks",
            "list",
            "--benchmark",
            benchmark,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn by_id(list: &[serde_json::Value]) -> BTreeMap<String, serde_json::Value> {
    list.iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c.clone()))
        .collect()
}

fn count(list: &[serde_json::Value], field: &str, value: &str) -> usize {
    list.iter().filter(|c| c[field] == value).count()
}

/// L2-only ids of 1.6.0/1.7.0 (the same set in 1.8.0, with section 2 shifted).
const L2: &[&str] = &[
    "1.1.7", "1.1.8", "1.1.9", "1.1.10", "1.1.11", "1.1.12", "1.1.13", "1.1.14", "1.1.15",
    "1.1.16", "1.1.17", "1.1.18", "2.9", "2.10", "2.11", "2.12", "2.13", "2.17", "3.17", "3.18",
    "3.19", "3.20", "3.21", "3.22", "4.5", "4.8", "4.11", "5.3", "5.23", "5.24", "5.30",
];

#[test]
fn profile_sizes_and_level_2_set_match_cis() {
    for (bench, total, l1) in [
        ("cis-docker-1.6.0", 117, 77),
        ("cis-docker-1.7.0", 117, 77),
        ("cis-docker-1.8.0", 118, 78),
    ] {
        let list = checks(bench);
        assert_eq!(list.len(), total, "{bench}");
        assert_eq!(count(&list, "level", "1"), l1, "{bench}");
        assert_eq!(count(&list, "level", "2"), 31, "{bench}");
        assert_eq!(count(&list, "level", "swarm"), 9, "{bench}");
        let ids = by_id(&list);
        for id in L2 {
            let id = match (bench, id.strip_prefix("2.")) {
                ("cis-docker-1.8.0", Some(n)) => format!("2.{}", n.parse::<u32>().unwrap() + 1),
                _ => id.to_string(),
            };
            assert_eq!(ids[&id]["level"], "2", "{bench} {id}");
        }
    }
}

#[test]
fn assessment_status_follows_each_version() {
    // CIS 1.6.0 has 21 Automated items; 1.7.0 moves 1.1.4 to Manual and 1.1.15/17/18 to
    // Automated.
    let v16 = checks("cis-docker-1.6.0");
    let v17 = checks("cis-docker-1.7.0");
    let v18 = checks("cis-docker-1.8.0");
    assert_eq!(count(&v16, "assessment", "automated"), 21);
    assert_eq!(count(&v17, "assessment", "automated"), 23);
    assert_eq!(count(&v18, "assessment", "automated"), 23);
    let (a, b) = (by_id(&v16), by_id(&v17));
    assert_eq!(a["1.1.4"]["assessment"], "automated");
    assert_eq!(b["1.1.4"]["assessment"], "manual");
    for id in ["1.1.15", "1.1.17", "1.1.18"] {
        assert_eq!(a[id]["assessment"], "manual");
        assert_eq!(b[id]["assessment"], "automated");
    }
    // Sections 2, 4, 5, 6 and 7 are entirely Manual in CIS; dockbench still evaluates most.
    assert!(
        v16.iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with("5."))
            .all(|c| c["assessment"] == "manual")
    );
    assert_eq!(a["5.4"]["evaluation"], "automated");
}

#[test]
fn versions_share_logic_with_their_own_titles_and_numbers() {
    let (v16, v17, v18) = (
        by_id(&checks("cis-docker-1.6.0")),
        by_id(&checks("cis-docker-1.7.0")),
        by_id(&checks("cis-docker-1.8.0")),
    );
    assert!(
        v16["1.1.9"]["title"]
            .as_str()
            .unwrap()
            .ends_with("docker.socket")
    );
    assert!(
        v17["1.1.9"]["title"]
            .as_str()
            .unwrap()
            .ends_with("docker.sock")
    );
    assert_eq!(
        v18["2.7"]["title"],
        "Ensure devicemapper storage driver is not used"
    );
    // Old 2.7 (TLS) is 2.8 in 1.8.0, and so on up to 2.18 → 2.19.
    assert_eq!(v18["2.8"]["title"], v17["2.7"]["title"]);
    assert_eq!(v18["2.19"]["title"], v17["2.18"]["title"]);
    assert!(!v17.contains_key("2.19"));
}
