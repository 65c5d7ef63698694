//! Fixture tests for CIS section 4 (images and build files): host.json, whose one image has
//! a full build history and whose one container runs as 1000:1000, with the field under test
//! changed. Findings name the image (or container) and show the offending value.
#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::*;
use serde_json::{Value, json};

/// Status, one finding on `object` with `value`; the reason counts the affected objects.
#[track_caller]
fn flagged(r: dockbench::report::CheckResult, status: &str, object: &str, value: &str) {
    assert_eq!(
        r.reason,
        "1 of 1 image affected".replace("image", noun(object))
    );
    flagged_on(r, status, object, value);
}

fn noun(object: &str) -> &'static str {
    if object == CONTAINER {
        "container"
    } else {
        "image"
    }
}

#[test]
fn s4_1_container_user() {
    let user =
        |u: &'static str| check("4.1", move |s| set(s, "containers.0.Config.User", json!(u)));
    pass(user("1000:1000"), "1 container compliant");
    pass(user("app"), "1 container compliant");
    pass(user("1000:0"), "1 container compliant");
    flagged(user(""), "WARN", CONTAINER, "no user set: runs as root");
    // Root by number or name, with or without a group.
    for root in ["0", "0:0", "root", "root:root", "root:1000", "0:1000"] {
        flagged(user(root), "WARN", CONTAINER, &format!("User={root}"));
    }
    skip(
        check("4.1", |s| s["containers"] = json!([])),
        "no containers to check",
    );
}

#[test]
fn s4_5_content_trust() {
    let trust = |v: &'static str| check("4.5", move |s| set(s, "host.ContentTrust", json!(v)));
    pass(trust("1"), "DOCKER_CONTENT_TRUST=1");
    // The docker CLI enables trust for any value that is not a false boolean.
    for on in ["true", "TRUE", "t", "yes"] {
        pass(trust(on), &format!("DOCKER_CONTENT_TRUST={on}"));
    }
    warn(
        trust(""),
        "DOCKER_CONTENT_TRUST is not set in the environment",
    );
    for off in ["0", "false", "FALSE", "False", "f", "F"] {
        warn(trust(off), &format!("DOCKER_CONTENT_TRUST={off}"));
    }
}

#[test]
fn s4_6_healthcheck() {
    pass(check("4.6", |_| {}), "1 image compliant");
    flagged(
        check("4.6", |s| {
            set(s, "images.0.Config.Healthcheck", Value::Null)
        }),
        "WARN",
        IMAGE,
        "no HEALTHCHECK instruction",
    );
    flagged(
        check("4.6", |s| {
            set(
                s,
                "images.0.Config.Healthcheck",
                json!({ "Test": ["NONE"] }),
            )
        }),
        "WARN",
        IMAGE,
        "HEALTHCHECK NONE",
    );
    skip(
        check("4.6", |s| s["images"] = json!([])),
        "no images to check",
    );
}

/// host.json's image with `steps` (newest first) inserted above its base layer.
fn history(steps: &[&str]) -> impl FnOnce(&mut Value) {
    let steps: Vec<Value> = steps
        .iter()
        .map(|c| json!({ "Created": 1795388889, "CreatedBy": c, "Comment": "", "Size": 1024 }))
        .collect();
    move |s: &mut Value| {
        let h = s["images"][0]["History"].as_array_mut().unwrap();
        let base = h.pop().unwrap();
        h.extend(steps);
        h.push(base);
    }
}

#[test]
fn s4_7_update_alone() {
    pass(check("4.7", |_| {}), "1 image compliant");
    for combined in [
        "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl",
        "RUN /bin/sh -c apk update && apk add --no-cache curl # buildkit",
        "/bin/sh -c yum makecache && yum install -y curl",
        "/bin/sh -c apt-get update && apt-get -y upgrade",
        "/bin/sh -c zypper refresh && zypper in -y curl",
        "/bin/sh -c zypper --non-interactive refresh && zypper --non-interactive install curl",
        "/bin/sh -c apt update && apt install -y curl",
        "/bin/sh -c apt-get -o Acquire::Retries=3 update && apt-get -o Dpkg::Use-Pty=0 -y install curl",
        "RUN /bin/sh -c apk --no-cache update && apk --no-cache add curl # buildkit",
        "/bin/sh -c microdnf makecache && microdnf install -y curl",
        "/bin/sh -c tdnf makecache && tdnf install -y curl",
        "/bin/sh -c dnf makecache && dnf -y install curl && dnf clean all",
        "/bin/sh -c apt-get update && DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get dist-upgrade -y",
    ] {
        pass(check("4.7", history(&[combined])), "1 image compliant");
    }
    for alone in [
        "/bin/sh -c apt-get update",
        "RUN /bin/sh -c apt-get -q update # buildkit",
        "/bin/sh -c apk update",
        "/bin/sh -c dnf makecache",
        "/bin/sh -c apt-get -o Acquire::Retries=3 update",
        "/bin/sh -c tdnf makecache",
        // "in", "add", "install" elsewhere in the step are not an install.
        "/bin/sh -c apt-get update && echo done in 5s",
        "/bin/sh -c apt-get update && useradd -m app",
        "/bin/sh -c apk update && echo 'install later' > /notes",
        "/bin/sh -c apt-get update && pip install requests",
        "/bin/sh -c zypper refresh && ls /usr/share/zypper-in",
        // `yum update` alone upgrades once, then stays cached: still an update alone.
        "/bin/sh -c yum -y update",
    ] {
        flagged(check("4.7", history(&[alone])), "INFO", IMAGE, alone);
    }
    // The whole history counts, untruncated: an update deep below later steps is found.
    let long = format!(
        "/bin/sh -c {} && apt-get update",
        "echo prepare-the-build-environment ".repeat(8)
    );
    flagged(
        check(
            "4.7",
            history(&[
                "COPY app /app # buildkit",
                "/bin/sh -c apt-get install -y curl",
                &long,
                "ENV LANG=C.UTF-8",
            ]),
        ),
        "INFO",
        IMAGE,
        &long,
    );
}

#[test]
fn s4_9_add_instead_of_copy() {
    // The base image's own `ADD file:… in /` is how images start: not a finding.
    pass(check("4.9", |_| {}), "1 image compliant");
    pass(
        check("4.9", history(&["COPY app /app # buildkit"])),
        "1 image compliant",
    );
    for add in [
        "ADD app.tar.gz /app # buildkit",
        "/bin/sh -c #(nop) ADD https://example.com/tool.tgz /opt/",
        "/bin/sh -c #(nop) ADD file:0123abcd in /app/config.yml",
    ] {
        flagged(check("4.9", history(&[add])), "INFO", IMAGE, add);
    }
    // Only the oldest step may be the base image's root filesystem; BuildKit writes it as
    // `ADD rootfs.tar.gz / # buildkit` (official alpine images).
    let alpine = "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit";
    pass(
        check("4.9", |s| {
            set(s, "images.0.History.3.CreatedBy", json!(alpine));
        }),
        "1 image compliant",
    );
    for upper in [alpine, "/bin/sh -c #(nop) ADD file:0123abcd in / "] {
        flagged(check("4.9", history(&[upper])), "INFO", IMAGE, upper);
    }
    // A RUN that mentions ADD is not an ADD instruction.
    pass(
        check("4.9", history(&["/bin/sh -c echo 'ADD later' > /notes"])),
        "1 image compliant",
    );
}

#[test]
fn s4_manual_checks_are_notes_with_what_to_review() {
    for (id, review) in [
        ("4.2", "trusted source"),
        ("4.4", "scanned for vulnerabilities"),
        ("4.11", "signed repositories"),
        ("4.12", "signatures"),
    ] {
        note(check(id, |_| {}), review, None);
    }
}

/// 4.3, 4.8 and 4.10 are being automated on another branch: whatever they become, they must
/// give a status with its reason on a clean fixture (ERROR too: host.json has no layer facts)
/// and nothing but NOTE or SKIP without images.
#[test]
fn s4_3_s4_8_s4_10_give_a_reasoned_verdict() {
    for id in ["4.3", "4.8", "4.10"] {
        let r = check(id, |_| {});
        assert!(
            ["NOTE", "PASS", "INFO", "WARN", "ERROR"].contains(&r.status.as_str()),
            "{id}: {} {}",
            r.status.as_str(),
            r.reason
        );
        assert!(!r.reason.is_empty(), "{id}: no reason");
        let none = check(id, |s| s["images"] = json!([]));
        assert!(
            ["NOTE", "SKIP"].contains(&none.status.as_str()),
            "{id}: {}",
            none.status.as_str()
        );
    }
}
