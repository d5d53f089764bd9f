//! The committed test vectors (`tests/vectors/v1.json`) against the native implementation. The
//! browser checks the same file through WebCrypto (end2end/tests/crypto.test.mjs), so both paths
//! produce identical bytes.
//!
//! Regenerate (only when the format changes on purpose): `DDS_WRITE_VECTORS=1 cargo test -p
//! wasm-crypto --test vectors`.

use serde::{Deserialize, Serialize};
use wasm_crypto::kdf::{KdfParams, MasterKey, Salt};
use wasm_crypto::seal::{open, seal_for_test_vector};
use wasm_crypto::{decrypt_all, encrypt_all, Encryptor, PrivateKey, PublicKey, Sealed, WrappedPrivateKey};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/v1.json");

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Vectors {
    kdf: Vec<KdfVector>,
    seal: Vec<SealVector>,
    files: Vec<FileVector>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct KdfVector {
    password: String,
    salt: String,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    auth_key: String,
    user_id: String,
    private_key: String,
    wrap_nonce: String,
    wrapped_private_key: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct SealVector {
    recipient_private_key: String,
    recipient_public_key: String,
    ephemeral_secret: String,
    plaintext: String,
    sealed: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct FileVector {
    name: String,
    recipient_private_key: String,
    recipient_public_key: String,
    cek: String,
    nonce_prefix: String,
    ephemeral_secret: String,
    segment_size: u32,
    /// Plaintext byte i is `(i * 167 + plaintext_seed) mod 256`.
    plaintext_len: usize,
    plaintext_seed: u8,
    ciphertext: String,
    sha256: String,
    encrypted_sha256: String,
    /// The upload part check of the whole plaintext sent as one part: HMAC-SHA256 under
    /// HKDF(cek, "dds/v1/part-check") of the plaintext's SHA-256.
    part_check: String,
}

fn plaintext(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(167).wrapping_add(seed)).collect()
}

fn arr<const N: usize>(hex_text: &str) -> [u8; N] {
    hex::decode(hex_text).unwrap().try_into().unwrap()
}

fn fixed(byte: u8) -> [u8; 32] {
    std::array::from_fn(|i| byte.wrapping_add(i as u8 * 3))
}

fn kdf_vector(password: &str, salt: [u8; 16], memory_kib: u32, iterations: u32, user_id: &str) -> KdfVector {
    let params = KdfParams { memory_kib, iterations, parallelism: 1 };
    let master = MasterKey::derive(password.as_bytes(), &Salt(salt), params).unwrap();
    let private_key = PrivateKey::for_test_vector(fixed(0x40));
    let nonce = [0x11; 12];
    let wrapped = master.kek().wrap_for_test_vector(&private_key, user_id, nonce);
    KdfVector {
        password: password.into(),
        salt: hex::encode(salt),
        memory_kib,
        iterations,
        parallelism: 1,
        auth_key: hex::encode(master.auth_key().as_bytes()),
        user_id: user_id.into(),
        private_key: hex::encode(fixed(0x40)),
        wrap_nonce: hex::encode(nonce),
        wrapped_private_key: hex::encode(wrapped.as_bytes()),
    }
}

fn seal_vector(recipient: [u8; 32], ephemeral: [u8; 32], message: &[u8]) -> SealVector {
    let key = PrivateKey::for_test_vector(recipient);
    let sealed = seal_for_test_vector(ephemeral, &key.public_key(), message).unwrap();
    SealVector {
        recipient_private_key: hex::encode(recipient),
        recipient_public_key: hex::encode(key.public_key().as_bytes()),
        ephemeral_secret: hex::encode(ephemeral),
        plaintext: hex::encode(message),
        sealed: hex::encode(sealed.as_bytes()),
    }
}

fn file_vector(name: &str, segment_size: u32, len: usize, seed: u8) -> FileVector {
    let recipient = PrivateKey::for_test_vector(fixed(0x70));
    let (cek, prefix, eph) = (fixed(seed), [seed; 7], fixed(seed ^ 0x5a));
    let mut encryptor =
        Encryptor::for_test_vector(cek, prefix, eph, &recipient.public_key(), segment_size).unwrap();
    let part_check = encryptor.part_check(&plaintext(len, seed));
    let ciphertext = encrypt_all(&mut encryptor, &plaintext(len, seed)).unwrap();
    let finished = encryptor.finish().unwrap();
    FileVector {
        name: name.into(),
        recipient_private_key: hex::encode(fixed(0x70)),
        recipient_public_key: hex::encode(recipient.public_key().as_bytes()),
        cek: hex::encode(cek),
        nonce_prefix: hex::encode(prefix),
        ephemeral_secret: hex::encode(eph),
        segment_size,
        plaintext_len: len,
        plaintext_seed: seed,
        ciphertext: hex::encode(ciphertext),
        sha256: hex::encode(finished.sha256),
        encrypted_sha256: hex::encode(finished.encrypted_sha256),
        part_check: hex::encode(part_check),
    }
}

fn generate() -> Vectors {
    let seg = 1024;
    Vectors {
        kdf: vec![
            kdf_vector("password", [1; 16], KdfParams::MIN_MEMORY_KIB, 2, "researchuser_1"),
            kdf_vector("correct horse battery staple ✓", [2; 16], 32 * 1024, 3, "unitadmin_1"),
        ],
        seal: vec![
            seal_vector(fixed(0x20), fixed(0x30), &fixed(0x99)),
            seal_vector(fixed(0x21), fixed(0x31), b"a short message"),
        ],
        files: vec![
            file_vector("empty", seg, 0, 1),
            file_vector("one byte", seg, 1, 2),
            file_vector("segment - 1", seg, 1023, 3),
            file_vector("one segment", seg, 1024, 4),
            file_vector("segment + 1", seg, 1025, 5),
            file_vector("many segments", seg, 5 * 1024 + 300, 6),
            file_vector("64 KiB segments", 64 * 1024, 140_000, 7),
        ],
    }
}

#[test]
fn committed_vectors_match_the_native_implementation() {
    let generated = generate();
    if std::env::var_os("DDS_WRITE_VECTORS").is_some() {
        std::fs::write(PATH, serde_json::to_string_pretty(&generated).unwrap() + "\n").unwrap();
    }
    let committed: Vectors = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    assert_eq!(committed.kdf, generated.kdf, "kdf vectors");
    assert_eq!(committed.seal, generated.seal, "seal vectors");
    for (c, g) in committed.files.iter().zip(&generated.files) {
        assert_eq!(c, g, "file vector '{}'", c.name);
    }
    assert_eq!(committed.files.len(), generated.files.len());
}

#[test]
fn committed_vectors_open_with_the_public_api() {
    let vectors: Vectors = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    for v in &vectors.kdf {
        let params =
            KdfParams { memory_kib: v.memory_kib, iterations: v.iterations, parallelism: v.parallelism };
        let master = MasterKey::derive(v.password.as_bytes(), &Salt(arr(&v.salt)), params).unwrap();
        let wrapped = WrappedPrivateKey::from_bytes(hex::decode(&v.wrapped_private_key).unwrap()).unwrap();
        let key = master.kek().unwrap(&wrapped, &v.user_id).unwrap();
        let expected = PrivateKey::for_test_vector(arr(&v.private_key));
        assert_eq!(key.public_key(), expected.public_key());
    }
    for v in &vectors.seal {
        let key = PrivateKey::for_test_vector(arr(&v.recipient_private_key));
        assert_eq!(
            key.public_key(),
            PublicKey::from_slice(&hex::decode(&v.recipient_public_key).unwrap()).unwrap()
        );
        let sealed = Sealed::from_bytes(hex::decode(&v.sealed).unwrap()).unwrap();
        assert_eq!(hex::encode(open(&key, &sealed).unwrap().as_slice()), v.plaintext);
    }
    for v in &vectors.files {
        let key = PrivateKey::for_test_vector(arr(&v.recipient_private_key));
        let plain = decrypt_all(&key, &hex::decode(&v.ciphertext).unwrap()).unwrap();
        assert_eq!(plain, plaintext(v.plaintext_len, v.plaintext_seed), "{}", v.name);
    }
}
