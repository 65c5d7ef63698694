//! Users and groups of the scanned root, read from its own `/etc/passwd` and `/etc/group`.
//! Not NSS (libc, uzers): that answers for the scanner's mount namespace, which is another
//! host when scanning a clone and often a container when scanning live. Directory services
//! (LDAP, sssd) are therefore not seen; names resolve to "" for ids only they know.
use std::collections::BTreeSet;

use super::rootfs::RootFs;
use crate::snapshot::{FactStatus, GroupFacts};

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    name: String,
    uid: u32,
    gid: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    name: String,
    gid: u32,
    members: Vec<String>,
}

/// The parsed files; each is `Err(reason)` when it could not be read.
#[derive(Debug, Clone)]
pub struct Users {
    users: Result<Vec<User>, String>,
    groups: Result<Vec<Group>, String>,
}

impl Users {
    pub fn load(fs: &RootFs) -> Users {
        let read = |path: &str| {
            // Lossy: one stray byte in a name must not hide every other account.
            fs.read_lossy(path)
                .map_err(|e| format!("cannot read {path}: {e}"))
        };
        Users::parse(read("/etc/passwd"), read("/etc/group"))
    }

    pub fn parse(passwd: Result<String, String>, group: Result<String, String>) -> Users {
        let users = passwd.map(|text| {
            records(&text)
                .filter_map(|f| {
                    Some(User {
                        name: f.first()?.to_string(),
                        uid: f.get(2)?.parse().ok()?,
                        gid: f.get(3)?.parse().ok()?,
                    })
                })
                .collect()
        });
        let groups = group.map(|text| {
            records(&text)
                .filter_map(|f| {
                    Some(Group {
                        name: f.first()?.to_string(),
                        gid: f.get(2)?.parse().ok()?,
                        members: f
                            .get(3)
                            .unwrap_or(&"")
                            .split(',')
                            .map(str::trim)
                            .filter(|m| !m.is_empty())
                            .map(String::from)
                            .collect(),
                    })
                })
                .collect()
        });
        Users { users, groups }
    }

    /// The first name with this uid, as getpwuid does; "" when none.
    pub fn user_name(&self, uid: u32) -> String {
        self.users
            .iter()
            .flatten()
            .find(|u| u.uid == uid)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }

    pub fn group_name(&self, gid: u32) -> String {
        self.groups
            .iter()
            .flatten()
            .find(|g| g.gid == gid)
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }

    /// A group and everyone in it: listed members plus users whose primary group it is.
    /// Without /etc/passwd the listed members are still given, but marked unavailable.
    pub fn group_facts(&self, name: &str) -> GroupFacts {
        let groups = match &self.groups {
            Ok(g) => g,
            Err(reason) => {
                return GroupFacts {
                    Status: FactStatus::unavailable(reason.clone()),
                    ..GroupFacts::default()
                };
            }
        };
        // Every line with this name counts: glibc merges the members of repeated entries
        // (and so does a `[SUCCESS=merge]` nsswitch chain); the first line's GID is the group's.
        let mut same_name = groups.iter().filter(|g| g.name == name);
        let Some(group) = same_name.next() else {
            return GroupFacts {
                Status: match &self.users {
                    Ok(_) => FactStatus::Available,
                    Err(reason) => FactStatus::unavailable(reason.clone()),
                },
                ..GroupFacts::default()
            };
        };
        let mut members: BTreeSet<String> = group.members.iter().cloned().collect();
        members.extend(same_name.flat_map(|g| g.members.iter().cloned()));
        let mut facts = GroupFacts {
            Status: FactStatus::Available,
            Exists: true,
            Gid: group.gid.into(),
            ..GroupFacts::default()
        };
        match &self.users {
            Ok(users) => members.extend(
                users
                    .iter()
                    .filter(|u| u.gid == group.gid)
                    .map(|u| u.name.clone()),
            ),
            Err(reason) => {
                facts.Status = FactStatus::unavailable(format!(
                    "{reason}: users whose primary group is {name} are unknown"
                ));
            }
        }
        facts.Members = members.into_iter().collect();
        facts
    }
}

/// Colon-separated records; comments, blank lines and NIS compat entries (`+`/`-`) skipped.
fn records(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(['#', '+', '-']))
        .map(|l| l.split(':').collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
        # comment\n\
        \n\
        alice:x:1000:1000::/home/alice:/bin/bash\n\
        ci:x:1001:998::/home/ci:/bin/sh\n\
        toor:x:0:0::/root:/bin/sh\n\
        +nisuser\n\
        broken:x:notanumber:1\n";
    const GROUP: &str = "root:x:0:\n\
        alice:x:1000:\n\
        docker:x:998:bob, alice,bob\n";

    fn users() -> Users {
        Users::parse(Ok(PASSWD.into()), Ok(GROUP.into()))
    }

    #[test]
    fn names_by_id() {
        let u = users();
        assert_eq!(u.user_name(0), "root");
        assert_eq!(u.user_name(1001), "ci");
        assert_eq!(u.user_name(4242), "");
        assert_eq!(u.group_name(998), "docker");
        assert_eq!(u.group_name(4242), "");
    }

    #[test]
    fn docker_group_members_include_primary_gid_users() {
        let g = users().group_facts("docker");
        assert!(g.Status.is_available() && g.Exists);
        assert_eq!(g.Gid, 998);
        assert_eq!(g.Members, ["alice", "bob", "ci"]);
    }

    #[test]
    fn missing_group_and_missing_files() {
        let g = users().group_facts("nosuch");
        assert!(g.Status.is_available() && !g.Exists && g.Members.is_empty());

        let none = Users::parse(
            Err("cannot read /etc/passwd".into()),
            Err("no group".into()),
        );
        let g = none.group_facts("docker");
        assert!(!g.Status.is_available());
        assert_eq!(g.Status.reason(), "no group");
        assert_eq!(none.user_name(0), "");

        let half = Users::parse(Err("cannot read /etc/passwd".into()), Ok(GROUP.into()));
        let g = half.group_facts("docker");
        assert!(!g.Status.is_available() && g.Exists);
        assert_eq!(g.Members, ["alice", "bob"]);
        assert!(g.Status.reason().contains("primary group"));
    }

    /// A second `docker:` line (left by a package script or an admin) adds members: glibc
    /// merges them, so they can use the socket.
    #[test]
    fn repeated_group_lines_merge_their_members() {
        let group = "docker:x:998:alice\nstaff:x:50:\ndocker:x:998:mallory,eve\n";
        let g = Users::parse(Ok(PASSWD.into()), Ok(group.into())).group_facts("docker");
        assert!(g.Status.is_available() && g.Exists);
        assert_eq!(g.Gid, 998);
        assert_eq!(g.Members, ["alice", "ci", "eve", "mallory"]);
    }
}
