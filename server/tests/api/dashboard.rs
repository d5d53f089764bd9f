//! The unit dashboard over the API: unit staff read their own unit (Unit Admins manage, Unit
//! Personnel read), everyone else is refused; the project list filters, searches (wildcards
//! taken literally), sorts and pages without overlap, and refuses nonsense with a sentence;
//! the overview counts what it says, for its unit only. SQLite and PostgreSQL.

use app::domain::dashboard::PAGE_SIZE;
use app::domain::ids::ProjectId;
use dds_server::db::audit::{self, AuditEvent};
use dds_server::db::Db;
use serde_json::Value;

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::helpers::{add_second_unit, answer, project_id, Backend};

const OVERVIEW: &str = "/api/v1/units/me/overview";
const PROJECTS: &str = "/api/v1/units/me/projects";
const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn seeded_unit(db: &Db) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT unit_id FROM projects WHERE public_id = 'someunit00001'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    id
}

/// A project as the dashboard reads it (keys are not looked at here).
struct Row<'a> {
    public_id: &'a str,
    title: &'a str,
    status: &'a str,
    size: i64,
    deadline: Option<i64>,
    created_at: i64,
}

async fn insert_project(db: &Db, unit: i64, row: Row<'_>) -> ProjectId {
    let (id,): (ProjectId,) = sqlx::query_as(
        "INSERT INTO projects (public_id, unit_id, title, description, pi, public_key, unit_public_key, \
         unit_sealed_key, is_active, created_at, status, size_bytes, deadline) \
         VALUES ($1, $2, $3, '', 'pi@example.org', $4, $4, $4, TRUE, $5, $6, $7, $8) RETURNING id",
    )
    .bind(row.public_id)
    .bind(unit)
    .bind(row.title)
    .bind(vec![0u8; 32])
    .bind(row.created_at)
    .bind(row.status)
    .bind(row.size)
    .bind(row.deadline)
    .fetch_one(db.pool())
    .await
    .unwrap();
    id
}

fn ids(page: &Value) -> Vec<String> {
    page["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["public_id"].as_str().unwrap().to_string())
        .collect()
}

async fn unit_staff_read_their_unit_and_everyone_else_is_refused(backend: Backend) {
    let app = seeded(backend).await;
    let (status, admin) = answer(signed_in(&app, "unitadmin_1").await.get(OVERVIEW).await).await;
    assert_eq!(status, 200, "{admin}");
    assert_eq!(admin["access"], "Manage");
    let statuses: Vec<(&str, i64)> = admin["projects_by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["status"].as_str().unwrap(), s["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [("In Progress", 1), ("Available", 0), ("Expired", 0), ("Archived", 0), ("Deleted", 0)],
        "every status, zero included"
    );
    assert_eq!(admin["access_pending_total"], 0, "the seeded members hold the key");

    let personnel = signed_in(&app, "unituser_1").await;
    let (status, read) = answer(personnel.get(OVERVIEW).await).await;
    assert_eq!((status, read["access"].as_str()), (200, Some("ReadOnly")));
    let (status, page) = answer(personnel.get(PROJECTS).await).await;
    assert_eq!((status, ids(&page)), (200, vec!["someunit00001".to_string()]));

    for (username, refusal) in [
        ("researchuser_1", "Only Unit Admins and Unit Personnel can see the unit dashboard."),
        ("superadmin", "The unit dashboard is for unit staff; Super Admins have the admin console."),
    ] {
        let browser = signed_in(&app, username).await;
        for path in [OVERVIEW, PROJECTS] {
            let (status, body) = answer(browser.get(path).await).await;
            assert_eq!((status, body["error"].as_str()), (403, Some(refusal)), "{username} {path}");
        }
    }
    for path in [OVERVIEW, PROJECTS] {
        assert_eq!(app.browser().get(path).await.status(), 401, "a visitor at {path}");
    }
    app.stop().await;
}
both_backends!(
    unit_staff_read_their_unit_and_everyone_else_is_refused,
    unit_staff_read_their_unit_and_everyone_else_is_refused
);

async fn the_project_list_filters_searches_sorts_and_pages(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let unit = seeded_unit(db).await;
    let start = now() - 100 * DAY;
    for i in 0..30_i64 {
        let (public_id, title) = (format!("bulk{i:05}"), format!("Batch {i} of RNA-seq"));
        let status = if i % 3 == 0 { "Available" } else { "In Progress" };
        let deadline = (i % 3 == 0).then_some(start + 200 * DAY - i * DAY);
        let row = Row {
            public_id: &public_id,
            title: &title,
            status,
            size: i * 1000,
            deadline,
            created_at: start + i,
        };
        insert_project(db, unit, row).await;
    }
    let literal = Row {
        public_id: "pct00001",
        title: "Growth 50% done",
        status: "Archived",
        size: 1,
        deadline: None,
        created_at: start,
    };
    insert_project(db, unit, literal).await;
    let near = Row {
        public_id: "pct00002",
        title: "Growth 500 done",
        status: "Archived",
        size: 1,
        deadline: None,
        created_at: start,
    };
    insert_project(db, unit, near).await;
    // Another unit's project matches every search: it must never show.
    let other = add_second_unit(db).await;
    let foreign = Row {
        public_id: "foreign0001",
        title: "RNA-seq growth 50% batch",
        status: "Available",
        size: 9_999_999,
        deadline: None,
        created_at: now(),
    };
    insert_project(db, other, foreign).await;

    let admin = signed_in(&app, "unitadmin_1").await;
    let get = |query: &str| {
        let path = format!("{PROJECTS}{query}");
        let admin = &admin;
        async move { admin.get(&path).await }
    };
    let (status, first) = answer(get("?sort=oldest").await).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!((first["total"].as_i64(), first["page_count"].as_i64()), (Some(33), Some(2)));
    assert_eq!(ids(&first).len() as i64, PAGE_SIZE);
    let (_, second) = answer(get("?sort=oldest&page=2").await).await;
    assert_eq!(ids(&second).len(), 33 - PAGE_SIZE as usize);
    let mut all: Vec<String> = ids(&first).into_iter().chain(ids(&second)).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 33, "the pages neither overlap nor skip");
    assert!(!all.contains(&"foreign0001".to_string()), "another unit's project");
    let (_, beyond) = answer(get("?page=9").await).await;
    assert_eq!((ids(&beyond).len(), beyond["total"].as_i64()), (0, Some(33)));

    let (_, available) = answer(get("?status=Available").await).await;
    assert_eq!(available["total"], 10);
    assert!(available["projects"].as_array().unwrap().iter().all(|p| p["status"] == "Available"));
    let (_, searched) = answer(get("?q=rna-SEQ&status=In%20Progress").await).await;
    assert_eq!(searched["total"], 20, "case-insensitive, with the status filter");
    let (_, percent) = answer(get("?q=50%25").await).await;
    assert_eq!(ids(&percent), ["pct00001"], "a % is a character, not a wildcard");
    let (_, underscore) = answer(get("?q=bulk_0").await).await;
    assert_eq!(underscore["total"], 0, "an _ is a character too");
    let (_, by_id) = answer(get("?q=BULK0002").await).await;
    assert_eq!(by_id["total"], 10, "the public id is searched (bulk00020..bulk00029)");

    let (_, largest) = answer(get("?sort=size").await).await;
    assert_eq!(ids(&largest)[0], "bulk00029");
    let (_, soonest) = answer(get("?sort=deadline&status=Available").await).await;
    assert_eq!(ids(&soonest)[0], "bulk00027", "the soonest deadline first");
    let (_, by_title) = answer(get("?sort=title").await).await;
    assert_eq!(ids(&by_title)[0], "bulk00000", "Batch 0 before Batch 1 (the seeded project is 'Seeded')");

    for (query, sentence) in [
        ("?status=open", "'open' is not a project status"),
        ("?sort=members", "'members' is not a way to sort projects"),
        ("?page=0", "Pages are numbered from 1."),
        ("?page=two", "Invalid query"),
    ] {
        let (status, body) = answer(get(query).await).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["error"].as_str().unwrap().contains(sentence), "{query}: {body}");
    }
    let long = "x".repeat(101);
    assert_eq!(get(&format!("?q={long}")).await.status(), 400, "an over-long search");
    app.stop().await;
}
both_backends!(
    the_project_list_filters_searches_sorts_and_pages,
    the_project_list_filters_searches_sorts_and_pages
);

async fn the_overview_counts_its_own_unit_only(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let unit = seeded_unit(db).await;
    let other = add_second_unit(db).await;
    let soon = Row {
        public_id: "soon00001",
        title: "Due soon",
        status: "Available",
        size: 0,
        deadline: Some(now() + 3 * DAY),
        created_at: now(),
    };
    let waiting = insert_project(db, unit, soon).await;
    let later = Row {
        public_id: "later0001",
        title: "Due later",
        status: "Available",
        size: 0,
        deadline: Some(now() + 20 * DAY),
        created_at: now(),
    };
    insert_project(db, unit, later).await;
    let theirs = Row {
        public_id: "theirs001",
        title: "Theirs",
        status: "Available",
        size: 0,
        deadline: Some(now() + DAY),
        created_at: now(),
    };
    let foreign = insert_project(db, other, theirs).await;
    // researchuser_2 joins a project without anyone sealing its key: access pending.
    sqlx::query(
        "INSERT INTO project_members (project_id, user_id, is_owner, added_at) \
         SELECT $1, id, FALSE, 0 FROM users WHERE username = 'researchuser_2'",
    )
    .bind(waiting)
    .execute(db.pool())
    .await
    .unwrap();
    // Two uploads and a download here, one upload in the other unit, one long ago.
    let seeded_project = project_id(db, "someunit00001").await;
    for (project, action) in [
        (seeded_project, "file-uploaded"),
        (waiting, "file-uploaded"),
        (seeded_project, "files-downloaded"),
        (foreign, "file-uploaded"),
    ] {
        audit::record(db.pool(), AuditEvent::new(None, action, Some("x")).on_project(project)).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO audit_events (at, action, unit_id, project_id) VALUES ($1, 'file-uploaded', $2, $3)",
    )
    .bind(now() - 31 * DAY)
    .bind(unit)
    .bind(seeded_project)
    .execute(db.pool())
    .await
    .unwrap();

    let (status, overview) = answer(signed_in(&app, "unitadmin_1").await.get(OVERVIEW).await).await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!((overview["uploads_completed"].as_i64(), overview["downloads"].as_i64()), (Some(2), Some(1)));
    assert_eq!(overview["access_pending_total"], 1);
    assert_eq!(overview["access_pending"][0]["username"], "researchuser_2");
    assert_eq!(overview["access_pending"][0]["project"], "soon00001");
    let deadlines: Vec<&str> =
        overview["deadlines"].as_array().unwrap().iter().map(|d| d["project"].as_str().unwrap()).collect();
    assert_eq!(deadlines, ["soon00001"], "within 14 days, this unit's only");
    assert_eq!(overview["over_warning_level"], false);
    app.stop().await;
}
both_backends!(the_overview_counts_its_own_unit_only, the_overview_counts_its_own_unit_only);

async fn the_activity_pages_newest_first_by_cursor(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let unit = seeded_unit(db).await;
    let other = add_second_unit(db).await;
    let project = project_id(db, "someunit00001").await;
    // 120 events here over a few seconds (several share a second), 5 in the other unit.
    let base = now() - 1000;
    for i in 0..120_i64 {
        let action = if i % 4 == 0 { "files-downloaded" } else { "file-uploaded" };
        sqlx::query(
            "INSERT INTO audit_events (at, action, target, unit_id, project_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(base + i / 3)
        .bind(action)
        .bind(format!("someunit00001/file{i}"))
        .bind(unit)
        .bind(project)
        .execute(db.pool())
        .await
        .unwrap();
    }
    for i in 0..5_i64 {
        sqlx::query("INSERT INTO audit_events (at, action, target, unit_id) VALUES ($1, 'file-uploaded', 'theirs', $2)")
            .bind(base + i)
            .bind(other)
            .execute(db.pool())
            .await
            .unwrap();
    }
    let admin = signed_in(&app, "unitadmin_1").await;
    let mut seen = Vec::new();
    let mut query = "/api/v1/units/me/activity?action=file-uploaded".to_string();
    let mut pages = 0;
    loop {
        let (status, page) = answer(admin.get(&query).await).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for event in page["events"].as_array().unwrap() {
            assert_eq!(event["action"], "file-uploaded");
            assert_eq!(event["project"], "someunit00001");
            seen.push(event["target"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(next) => query = format!("/api/v1/units/me/activity?action=file-uploaded&before={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 2, "90 events in pages of 50");
    assert_eq!(seen.len(), 90, "every upload once, none of the other unit's");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 90, "no event on two pages, though several share a second");
    assert_eq!(seen[0], "someunit00001/file119", "newest first");

    let (_, all) = answer(admin.get("/api/v1/units/me/activity").await).await;
    assert_eq!(all["events"].as_array().unwrap().len(), 50);
    for (query, sentence) in [("?action=drop", "not an action"), ("?before=yesterday", "does not exist")] {
        let (status, body) = answer(admin.get(&format!("/api/v1/units/me/activity{query}")).await).await;
        assert_eq!(status, 400, "{query}");
        assert!(body["error"].as_str().unwrap().contains(sentence), "{query}: {body}");
    }
    let researcher = signed_in(&app, "researchuser_1").await;
    assert_eq!(researcher.get("/api/v1/units/me/activity").await.status(), 403);
    app.stop().await;
}
both_backends!(the_activity_pages_newest_first_by_cursor, the_activity_pages_newest_first_by_cursor);

async fn usage_is_summed_per_month_and_exported_as_csv(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let unit = seeded_unit(db).await;
    let other = add_second_unit(db).await;
    let month = |offset| app::domain::dates::month_start(now(), offset);
    let formula = Row {
        public_id: "csv000001",
        title: "=SUM(A1), with \"quotes\"",
        status: "Available",
        size: 0,
        deadline: None,
        created_at: now(),
    };
    let tricky = insert_project(db, unit, formula).await;
    let theirs = Row {
        public_id: "theirs001",
        title: "Theirs",
        status: "Available",
        size: 0,
        deadline: None,
        created_at: now(),
    };
    let foreign = insert_project(db, other, theirs).await;
    let seeded_project = project_id(db, "someunit00001").await;
    // (project, period end, byte-hours): the run on the 1st counts for the month before.
    for (project, end, byte_hours) in [
        (seeded_project, month(0), 1000.0),     // last month
        (seeded_project, month(-1), 500.0),     // the month before
        (tricky, month(0), 250.0),              // last month
        (tricky, month(0) + DAY, 5.0),          // this month (a run mid-month)
        (seeded_project, month(-13), 99_999.0), // before the report
        (foreign, month(0), 77_777.0),          // another unit
    ] {
        sqlx::query(
            "INSERT INTO usage_records (project_id, period_start, period_end, byte_hours, created_at, unit_id) \
             VALUES ($1, $2, $3, $4, $3, (SELECT unit_id FROM projects WHERE id = $1))",
        )
        .bind(project)
        .bind(end - 10 * DAY)
        .bind(end)
        .bind(byte_hours)
        .execute(db.pool())
        .await
        .unwrap();
    }
    let admin = signed_in(&app, "unitadmin_1").await;
    let (status, usage) = answer(admin.get("/api/v1/units/me/usage").await).await;
    assert_eq!(status, 200, "{usage}");
    let totals: Vec<f64> = usage["totals"].as_array().unwrap().iter().map(|t| t.as_f64().unwrap()).collect();
    assert_eq!(totals.len(), 12);
    assert_eq!(&totals[9..], [500.0, 1250.0, 5.0], "{:?}", usage["months"]);
    assert_eq!(totals[..9].iter().sum::<f64>(), 0.0);
    assert_eq!(usage["months"][11], app::domain::dates::utc_month(now()));
    assert_eq!(usage["total_projects"], 2);
    let projects = usage["projects"].as_array().unwrap();
    assert_eq!(projects[0]["public_id"], "csv000001");
    assert_eq!(projects[0]["byte_hours"][10], 250.0);
    assert_eq!(projects[1]["byte_hours"][10], 1000.0);

    let csv = admin.get("/api/v1/units/me/usage.csv").await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "project,title,month,byte_hours");
    assert_eq!(lines.len(), 1 + 2 * 12, "every project, every month");
    let last_month = app::domain::dates::utc_month(month(-1));
    assert!(
        lines.contains(&format!("csv000001,\"'=SUM(A1), with \"\"quotes\"\"\",{last_month},250").as_str()),
        "{text}"
    );
    assert!(lines.contains(&format!("someunit00001,Seeded project,{last_month},1000").as_str()), "{text}");
    assert!(!text.contains("theirs") && !text.contains("77777"), "another unit's usage");

    for query in ["?page=0", "?page=x"] {
        assert_eq!(admin.get(&format!("/api/v1/units/me/usage{query}")).await.status(), 400, "{query}");
    }
    let researcher = signed_in(&app, "researchuser_1").await;
    assert_eq!(researcher.get("/api/v1/units/me/usage").await.status(), 403);
    assert_eq!(researcher.get("/api/v1/units/me/usage.csv").await.status(), 403);

    // The totals per unit and run are kept by triggers: they follow a corrected record and a
    // deleted project's records.
    sqlx::query("UPDATE usage_records SET byte_hours = 1500.0 WHERE project_id = $1 AND period_end = $2")
        .bind(seeded_project)
        .bind(month(0))
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM projects WHERE id = $1").bind(tricky).execute(db.pool()).await.unwrap();
    let (_, usage) = answer(admin.get("/api/v1/units/me/usage").await).await;
    let totals: Vec<f64> = usage["totals"].as_array().unwrap().iter().map(|t| t.as_f64().unwrap()).collect();
    assert_eq!(&totals[9..], [500.0, 1500.0, 0.0], "{:?}", usage["months"]);
    app.stop().await;
}
both_backends!(usage_is_summed_per_month_and_exported_as_csv, usage_is_summed_per_month_and_exported_as_csv);

/// Who waits for access by the definition (a membership without a seal made for the member's
/// current public key), and by the rows the triggers keep: (project, username), sorted.
async fn waiting(db: &Db) -> (Vec<(String, String)>, Vec<(String, String)>) {
    let defined = sqlx::query_as(
        "SELECT p.public_id, u.username FROM project_members m JOIN projects p ON p.id = m.project_id \
         JOIN users u ON u.id = m.user_id LEFT JOIN user_credentials c ON c.user_id = m.user_id \
         LEFT JOIN project_key_seals s ON s.project_id = m.project_id AND s.user_id = m.user_id \
         AND s.recipient_public_key = c.public_key WHERE s.user_id IS NULL ORDER BY p.public_id, u.username",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let kept = sqlx::query_as(
        "SELECT p.public_id, u.username FROM access_pending a JOIN projects p ON p.id = a.project_id \
         JOIN users u ON u.id = a.user_id ORDER BY p.public_id, u.username",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    (defined, kept)
}

/// Runs `sql` with the project as `$1` (a statement that does not need it says `$1 IS NOT NULL`).
async fn run(db: &Db, sql: &str, project: ProjectId) {
    sqlx::query(sql).bind(project).execute(db.pool()).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// "Access pending" is kept as rows of its own by triggers (so the overview reads an index
/// range): whatever writes memberships, seals or keys, the rows say what the definition says.
async fn access_pending_rows_follow_every_write(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let unit = seeded_unit(db).await;
    let row = Row {
        public_id: "wait00001",
        title: "Waiting",
        status: "Available",
        size: 0,
        deadline: None,
        created_at: now(),
    };
    let project = insert_project(db, unit, row).await;
    let member = "researchuser_2";
    let join = "INSERT INTO project_members (project_id, user_id, is_owner, added_at) \
                SELECT $1, id, FALSE, 0 FROM users WHERE username = 'researchuser_2'";
    let seal =
        "INSERT INTO project_key_seals (project_id, user_id, recipient_public_key, sealed, sealed_at) \
                SELECT $1, c.user_id, c.public_key, c.public_key, 0 FROM user_credentials c \
                JOIN users u ON u.id = c.user_id WHERE u.username = 'researchuser_2'";
    let new_key = "UPDATE user_credentials SET public_key = wrapped_private_key \
                   WHERE user_id = (SELECT id FROM users WHERE username = 'researchuser_2') AND $1 IS NOT NULL";
    let seal_again = "UPDATE project_key_seals SET recipient_public_key = (SELECT c.public_key \
                      FROM user_credentials c WHERE c.user_id = project_key_seals.user_id) WHERE project_id = $1";
    let steps = [
        ("a member joins without a seal", join, true),
        ("a key holder seals for the member's key", seal, false),
        ("the member's password is reset (a new key)", new_key, true),
        ("the seal is made again for the new key", seal_again, false),
        ("the seal is removed", "DELETE FROM project_key_seals WHERE project_id = $1", true),
        ("the member leaves", "DELETE FROM project_members WHERE project_id = $1", false),
        ("the member joins again", join, true),
    ];
    let (before, kept) = waiting(db).await;
    assert_eq!(before, kept, "the migration filled the rows");
    for (step, sql, pending) in steps {
        run(db, sql, project).await;
        let (defined, kept) = waiting(db).await;
        assert_eq!(defined, kept, "{step}");
        let listed = defined.iter().any(|(p, u)| p == "wait00001" && u == member);
        assert_eq!(listed, pending, "{step}");
    }
    run(db, "DELETE FROM projects WHERE id = $1", project).await;
    let (defined, kept) = waiting(db).await;
    assert_eq!(defined, kept, "the project is deleted");
    assert!(defined.iter().all(|(p, _)| p != "wait00001"));
    // The new key left the member's seal of the seeded project stale too.
    assert!(!before.contains(&("someunit00001".into(), member.into())));
    assert!(defined.contains(&("someunit00001".into(), member.into())));
    app.stop().await;
}
both_backends!(access_pending_rows_follow_every_write, access_pending_rows_follow_every_write);
