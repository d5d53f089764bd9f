//! Header parsing and decryption never panic, and any change to a valid file is refused.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wasm_crypto::{decrypt_all, encrypt_all, Encryptor, Header, PrivateKey};

fn key() -> PrivateKey {
    PrivateKey::for_test_vector([7; 32])
}

/// A valid 3-segment file (1 KiB segments) to mutate.
fn valid() -> &'static (Vec<u8>, Vec<u8>) {
    static VALID: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    VALID.get_or_init(|| {
        let plaintext: Vec<u8> = (0..2500u32).map(|i| i as u8).collect();
        let mut encryptor =
            Encryptor::for_test_vector([1; 32], [2; 7], [3; 32], &key().public_key(), 1024).unwrap();
        (encrypt_all(&mut encryptor, &plaintext).unwrap(), plaintext)
    })
}

fuzz_target!(|data: &[u8]| {
    // Arbitrary bytes as a header and as a whole file.
    let _ = Header::parse(data);
    let _ = decrypt_all(&key(), data);

    // A valid file with the input XORed in at a chosen position, optionally truncated.
    if data.len() < 4 {
        return;
    }
    let (file, plaintext) = valid();
    let mut mutated = file.clone();
    let at = u16::from_le_bytes([data[0], data[1]]) as usize % mutated.len();
    let cut = data[2];
    for (i, byte) in data[3..].iter().enumerate() {
        if let Some(target) = mutated.get_mut(at + i) {
            *target ^= byte;
        }
    }
    if cut & 1 == 1 {
        mutated.truncate(at);
    }
    match decrypt_all(&key(), &mutated) {
        Ok(decrypted) => {
            assert_eq!(&mutated, file, "a changed file decrypted");
            assert_eq!(&decrypted, plaintext);
        }
        Err(_) => assert_ne!(&mutated, file, "the untouched file failed"),
    }
});
