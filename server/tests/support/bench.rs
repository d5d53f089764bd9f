//! What the HTTP benchmarks share (`benches/listing.rs`, `benches/dashboard.rs`): signing in as a
//! seeded user, loading URLs at a fixed concurrency for a while, and reporting percentiles
//! beside a baseline measured in the same run. Each bench includes it with `#[path]`, next to
//! `support/login.rs` as `login`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Clients loading URLs at once.
pub const CONCURRENCY: usize = 10;

pub struct Summary {
    pub p50: f64,
    pub p99: f64,
    pub per_second: f64,
    pub errors: usize,
}

/// A duration from the environment (`BENCH_SECONDS`), in seconds.
pub fn env_secs(name: &str, default: u64) -> Duration {
    Duration::from_secs(std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

/// Signs `username` (of the dev seed) in on `client`: the password step, then the emailed code
/// read from the outbox.
pub async fn sign_in(client: &reqwest::Client, base: &str, outbox: &Path, username: &str) {
    let auth_key = crate::login::auth_key(client, base, username, dds_server::db::seed::DEV_PASSWORD).await;
    let answer = crate::login::post(
        client,
        base,
        "/api/v1/auth/login",
        serde_json::json!({ "username": username, "auth_key": auth_key }),
    )
    .await;
    assert!(answer.status().is_success(), "login: {}", answer.status());
    let mut code = None;
    for _ in 0..200 {
        code = crate::login::latest_code(outbox, &format!("{username}@example.com"));
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.expect("the one-time code was mailed");
    let answer =
        crate::login::post(client, base, "/api/v1/auth/second-factor", serde_json::json!({ "code": code }))
            .await;
    assert!(answer.status().is_success(), "second factor: {}", answer.status());
}

/// [`CONCURRENCY`] clients GET a URL from `next_url` in a loop for `length`; an answer counts
/// when it succeeds and `accept` takes its body.
pub async fn hammer(
    client: &reqwest::Client,
    length: Duration,
    next_url: impl Fn(usize) -> String + Send + Sync + 'static,
    accept: fn(&str) -> bool,
) -> Summary {
    let started = Instant::now();
    let next_url = Arc::new(next_url);
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..CONCURRENCY {
        let (client, next_url) = (client.clone(), next_url.clone());
        workers.spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            let mut i = worker;
            while started.elapsed() < length {
                let url = next_url(i);
                i += CONCURRENCY;
                let sent = Instant::now();
                match client.get(&url).send().await {
                    Ok(response) if response.status().is_success() => {
                        let body = response.text().await.unwrap_or_default();
                        if accept(&body) {
                            times.push(sent.elapsed().as_secs_f64() * 1000.0);
                        } else {
                            errors += 1;
                        }
                    }
                    _ => errors += 1,
                }
            }
            (times, errors)
        });
    }
    let results = workers.join_all().await;
    let elapsed = started.elapsed().as_secs_f64();
    let errors = results.iter().map(|(_, e)| e).sum();
    let mut times: Vec<f64> = results.into_iter().flat_map(|(t, _)| t).collect();
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        let index = ((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1));
        times.get(index).copied().unwrap_or(f64::NAN)
    };
    Summary { p50: at(0.50), p99: at(0.99), per_second: times.len() as f64 / elapsed, errors }
}

/// Any answer body will do.
pub fn any_body(_: &str) -> bool {
    true
}

pub fn report(name: &str, summary: &Summary, baseline: &Summary) {
    println!(
        "{name:<20} p50 {:>7.2} ms  p99 {:>7.2} ms  {:>8.0} req/s  errors {}  (p99 {:.1}x the baseline's)",
        summary.p50,
        summary.p99,
        summary.per_second,
        summary.errors,
        summary.p99 / baseline.p99
    );
}
