//! The data folder belongs to the server's user alone: folders 0700, files 0600 (the SQLite
//! database and its WAL files, the server secret, the S3 credentials, mail in the outbox).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use dds_server::mail::OutgoingMail;

use crate::helpers::{spawn_app_with, Backend};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test]
async fn data_folder_and_its_files_are_private_after_start() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    let app = spawn_app_with(Backend::Sqlite, &[("DDS_DATA_DIR", &data.display().to_string())]).await;
    let mail = OutgoingMail {
        to: "someone@example.org".into(),
        subject: "Private".into(),
        text: "t".into(),
        html: "<p>h</p>".into(),
        link: None,
    };
    app.state().mailer.send(mail).await.unwrap();
    app.mail_delivered().await;

    for folder in [data.clone(), data.join("s3"), data.join("outbox")] {
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
    }
    for file in ["dds.sqlite", "dds.sqlite-wal", "dds.sqlite-shm", "secret.key", "s3-credentials"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    let mails: Vec<_> = std::fs::read_dir(data.join("outbox")).unwrap().flatten().collect();
    assert_eq!(mails.len(), 1);
    assert_eq!(mode(&mails[0].path()), 0o600, "the mail in the outbox");
    app.stop().await;
}
