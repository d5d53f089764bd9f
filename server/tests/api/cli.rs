//! The `dds` binary itself: configuration errors stop it with a message naming the setting.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `dds` on the data folder `data` (SQLite there; no database URL or config file from the
/// environment) with `env` added.
fn dds_in(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dds"));
    command.args(args).env("DDS_DATA_DIR", data).env_remove("DATABASE_URL").env_remove("DDS_CONFIG");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

/// `dds_in` a fresh data folder.
fn dds(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    dds_in(dir.path(), args, env)
}

/// `dds_in` that must succeed: its standard output.
fn dds_ok(data: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = dds_in(data, args, env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn bad_config_value_stops_the_server_naming_the_key() {
    let out = dds(&["serve"], &[("DDS_LISTEN", "not-an-address")]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DDS_LISTEN"), "{stderr}");
    assert!(stderr.contains("'not-an-address'"), "{stderr}");
}

#[test]
fn bad_config_file_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dds.toml");
    std::fs::write(&path, "[s3]\nlisten = 9000\n").unwrap();
    let out = dds(&["--config", path.to_str().unwrap(), "serve"], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DDS_S3_LISTEN (s3.listen)"), "{stderr}");
}

#[test]
fn migrate_and_init_db_dev_work_on_a_fresh_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| dds_ok(dir.path(), args, &[]);
    assert!(run(&["migrate"]).contains("Database is up to date."));
    assert!(run(&["init-db", "dev"]).contains("Created 8 account(s)."));
    assert!(run(&["init-db", "dev"]).contains("Already initialised"));
    assert!(dir.path().join("dds.sqlite").exists());
}

#[test]
fn init_db_production_mails_the_super_admin_a_password_link() {
    let dir = tempfile::tempdir().unwrap();
    let super_admin =
        [("DDS_SUPERADMIN_USERNAME", "root_admin"), ("DDS_SUPERADMIN_EMAIL", "root@example.org")];
    let run = || dds_ok(dir.path(), &["init-db", "production"], &super_admin);
    let stdout = run();
    assert!(stdout.contains("Created 1 account(s)."), "{stdout}");
    assert!(stdout.contains("Sent a password reset link to root@example.org"), "{stdout}");
    let links = || {
        std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .filter(|mail| mail.contains("To: root@example.org") && mail.contains("/reset-password/"))
            .inspect(|mail| assert!(mail.contains("Subject: Set up your DDS Super Admin account"), "{mail}"))
            .count()
    };
    assert_eq!(links(), 1);
    // Run again before a password was chosen: a fresh link (the first one lasts an hour).
    let stdout = run();
    assert!(stdout.contains("Already initialised"), "{stdout}");
    assert!(stdout.contains("Sent a password reset link"), "{stdout}");
    assert_eq!(links(), 2);
}

#[test]
fn units_are_created_updated_and_listed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = dds_in(dir.path(), args, &[]);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let create = [
        "unit",
        "create",
        "--public-id",
        "ngi-sthlm",
        "--name",
        "NGI Stockholm",
        "--display-name",
        "NGI",
        "--contact-email",
        "Support@NGI.se",
        "--internal-ref",
        "ngis",
        "--quota-tb",
        "100",
    ];
    let (ok, stdout, stderr) = run(&create);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Unit ngi-sthlm (NGI Stockholm) saved."), "{stdout}");
    let (ok, _, stderr) = run(&create);
    assert!(!ok && stderr.contains("exists already"), "a second unit of that name is refused: {stderr}");
    let (ok, _, stderr) = run(&["unit", "update", "ngi-sthlm", "--days-in-available", "91"]);
    assert!(!ok && stderr.contains("The days in Available must be between 1 and 90."), "{stderr}");
    let (ok, _, stderr) =
        run(&["unit", "update", "ngi-sthlm", "--quota-tb", "2.5", "--display-name", "National Genomics"]);
    assert!(ok, "{stderr}");
    let (ok, stdout, _) = run(&["unit", "list"]);
    assert!(ok);
    let line = stdout.lines().find(|l| l.starts_with("ngi-sthlm")).expect("the unit is listed");
    assert!(line.contains("2.5 TB") && line.contains("ngis"), "{line}");
    let (ok, _, stderr) = run(&["unit", "update", "no-such-unit", "--name", "x"]);
    assert!(!ok && stderr.contains("There is no unit 'no-such-unit'."), "{stderr}");
}
