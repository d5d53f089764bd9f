//! Native throughput of the v1 format on one core: the baseline of `scripts/bench-crypto`.
//!
//! `cargo bench -p wasm-crypto --bench throughput [-- MiB]` prints one JSON object:
//! - `aes_gcm_encrypt_mbps` / `aes_gcm_decrypt_mbps`: the aes-gcm crate over segments of the default size
//!   with the format's nonces and AAD (the work the browser's worker pool does);
//! - `encryptor_mbps`: the full `Encryptor` (segment encryption plus the plaintext SHA-256).

use std::hint::black_box;
use std::time::Instant;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use wasm_crypto::format::{segment_nonce, DEFAULT_SEGMENT_SIZE, HEADER_LEN};
use wasm_crypto::{Encryptor, PrivateKey};

const MIB: usize = 1024 * 1024;

/// Seconds for each measurement, one run.
struct Run {
    encrypt: f64,
    decrypt: f64,
    full: f64,
}

fn main() {
    let total_mib: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(256);
    let total = total_mib * MIB;
    // Three runs; each figure is the median (as on the browser side).
    let mut runs: Vec<Run> = (0..3).map(|_| measure(total)).collect();
    let mut median = |pick: fn(&Run) -> f64| {
        runs.sort_by(|a, b| pick(a).total_cmp(&pick(b)));
        pick(&runs[1])
    };
    let (encrypt, decrypt, full) = (median(|r| r.encrypt), median(|r| r.decrypt), median(|r| r.full));
    let mbps = |seconds: f64| (total as f64 / 1e6 / seconds * 10.0).round() / 10.0;
    println!(
        "{{\"bytes\": {total}, \"segment_size\": {}, \"aes_gcm_encrypt_mbps\": {}, \"aes_gcm_decrypt_mbps\": {}, \"encryptor_mbps\": {}}}",
        DEFAULT_SEGMENT_SIZE,
        mbps(encrypt),
        mbps(decrypt),
        mbps(full)
    );
}

fn measure(total: usize) -> Run {
    let segment = DEFAULT_SEGMENT_SIZE as usize;
    let source: Vec<u8> = (0..8 * MIB).map(|i| (i as u8).wrapping_mul(31)).collect();
    let cipher = Aes256Gcm::new_from_slice(&[7u8; 32]).unwrap();
    let aad = [1u8; HEADER_LEN];
    let prefix = [3u8; 7];
    let mut buffer = Vec::with_capacity(segment + 16);

    // Encrypt: every segment copied from the "file" and sealed in place.
    let mut tags = Vec::with_capacity(total / segment);
    let t0 = Instant::now();
    for index in 0..total / segment {
        let start = (index * segment) % source.len();
        buffer.clear();
        buffer.extend_from_slice(&source[start..start + segment]);
        let nonce = segment_nonce(&prefix, index as u32, index + 1 == total / segment);
        let tag = cipher.encrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut buffer).unwrap();
        tags.push(tag);
        black_box(&buffer);
    }
    let encrypt = t0.elapsed().as_secs_f64();

    // Decrypt: authenticate and decrypt one segment's ciphertext repeatedly.
    let nonce = segment_nonce(&prefix, 0, false);
    let mut sample = source[..segment].to_vec();
    let tag = cipher.encrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut sample).unwrap();
    let t1 = Instant::now();
    for _ in 0..total / segment {
        buffer.clear();
        buffer.extend_from_slice(&sample);
        cipher.decrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut buffer, &tag).unwrap();
        black_box(&buffer);
    }
    let decrypt = t1.elapsed().as_secs_f64();

    // The whole Encryptor, SHA-256 included.
    let key = PrivateKey::generate();
    let mut encryptor = Encryptor::new(&key.public_key()).unwrap();
    let count = total / segment;
    let t2 = Instant::now();
    for index in 0..count {
        let start = (index * segment) % source.len();
        black_box(encryptor.encrypt_segment(&source[start..start + segment], index + 1 == count).unwrap());
    }
    let full = t2.elapsed().as_secs_f64();
    black_box(encryptor.finish().unwrap());

    Run { encrypt, decrypt, full }
}
