//! SQLite on a full disk: the database lives on a small tmpfs that a
//! filler file fills up. Every write while the disk is full answers an
//! error (never a success), reads keep working, and once space is freed
//! writes succeed again without a restart. Mounting needs root: elsewhere
//! the test says it was skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{get, post, start};

/// Unmounts (after stopping the server) however the test ends.
struct Mounted {
    at: PathBuf,
    server: Option<Child>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(mut s) = self.server.take() {
            let _ = s.kill();
            let _ = s.wait();
        }
        let _ = Command::new("umount").arg(&self.at).status();
    }
}

fn mount_tmpfs(at: &Path) -> bool {
    Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=24m", "tmpfs"])
        .arg(at)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Fills the file system at `dir` until a write fails for lack of space.
fn fill(dir: &Path) -> u64 {
    let mut f = std::fs::File::create(dir.join("filler")).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0;
    loop {
        match f.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => written += n as u64,
        }
        if f.sync_data().is_err() {
            break;
        }
    }
    // Whatever the last partial chunk left: fill byte by byte.
    while f.write(&[0u8]).is_ok_and(|n| n == 1) && f.sync_data().is_ok() {
        written += 1;
    }
    written
}

#[test]
fn a_full_disk_refuses_writes_keeps_reads_and_recovers_without_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).expect("mkdir");
    if !mount_tmpfs(&mnt) {
        eprintln!("SKIPPED: mounting a tmpfs needs root (CI runs this as root)");
        return;
    }
    let mut guard = Mounted {
        at: mnt.clone(),
        server: None,
    };
    let db = mnt.join("cairn.db").display().to_string();
    let d = dir.path();
    let cookie = crate::demo_with_member(d, &db, "full@example.com");

    let (server, address) = start(&db);
    guard.server = Some(server);
    let write = |title: &str| {
        post(
            &address,
            &cookie,
            "/fernhill/abilities/mentoring/conversations",
            &format!(
                "title={title}&body=a+comment+long+enough+to+need+a+page+{}",
                "x".repeat(3000)
            ),
        )
    };
    assert!(write("before"), "a write with room on the disk");

    let filled = fill(&mnt);
    let mut refused = 0;
    for n in 0..20 {
        assert!(
            !write(&format!("while-full-{n}")),
            "write {n} succeeded on a full disk"
        );
        refused += 1;
    }
    let (status, _) = get(&address, "/fernhill/abilities/mentoring").expect("an answer");
    assert_eq!(status, 200, "reads keep working on a full disk");

    std::fs::remove_file(mnt.join("filler")).expect("free the space");
    let mut landed = 0;
    for n in 0..20 {
        assert!(
            write(&format!("after-{n}")),
            "write {n} after space was freed"
        );
        landed += 1;
    }
    let titles: Vec<String> = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            let store = cairn_store::Store::open(&db).await.expect("open");
            let slug = cairn_domain::OrgSlug::parse("fernhill").expect("slug");
            let org = cairn_store::orgs::by_slug(&store, &slug)
                .await
                .expect("read")
                .expect("org");
            let subject = cairn_store::conversations::subject(
                &store,
                &org.id,
                cairn_domain::ItemKind::Ability,
                "mentoring",
            )
            .await
            .expect("read")
            .expect("subject");
            let threads = cairn_store::conversations::threads(&store, &org.id, &subject)
                .await
                .expect("threads");
            store.close().await;
            threads.into_iter().map(|t| t.title).collect()
        });
    assert!(titles.iter().any(|t| t == "before"), "{titles:?}");
    assert_eq!(
        titles.iter().filter(|t| t.starts_with("after-")).count(),
        20,
        "{titles:?}"
    );
    assert!(
        !titles.iter().any(|t| t.starts_with("while-full-")),
        "a refused write left something behind: {titles:?}"
    );
    drop(guard);
    println!(
        "disk full: filled {} KiB; {refused} writes refused while full, reads answered, {landed} writes landed after freeing space, no restart",
        filled / 1024
    );
}
