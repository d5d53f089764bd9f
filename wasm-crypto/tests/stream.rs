//! Round trips and every tamper case of the v1 format, plus property tests.

use proptest::prelude::*;
use wasm_crypto::format::{Layout, HEADER_LEN};
use wasm_crypto::{decrypt_all, encrypt_all, CryptoError, Decryptor, Encryptor, PrivateKey};

const SEG: u32 = 1024;

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(167).wrapping_add(seed)).collect()
}

fn encrypt(key: &PrivateKey, plaintext: &[u8]) -> Vec<u8> {
    let mut encryptor = Encryptor::with_segment_size(&key.public_key(), SEG).unwrap();
    encrypt_all(&mut encryptor, plaintext).unwrap()
}

#[test]
fn round_trips_at_every_interesting_size() {
    let key = PrivateKey::generate();
    let seg = SEG as usize;
    for len in [0, 1, seg - 1, seg, seg + 1, 2 * seg, 7 * seg + 3] {
        let plaintext = data(len, 1);
        let ciphertext = encrypt(&key, &plaintext);
        let layout = Layout::new(SEG).unwrap();
        assert_eq!(ciphertext.len() as u64, layout.ciphertext_len(len as u64).unwrap(), "len {len}");
        assert_eq!(decrypt_all(&key, &ciphertext).unwrap(), plaintext, "len {len}");
    }
}

#[test]
fn default_segment_size_round_trip_of_several_mib() {
    let key = PrivateKey::generate();
    let plaintext = data(3 * 1024 * 1024 + 5, 9);
    let mut encryptor = Encryptor::new(&key.public_key()).unwrap();
    let ciphertext = encrypt_all(&mut encryptor, &plaintext).unwrap();
    assert_eq!(decrypt_all(&key, &ciphertext).unwrap(), plaintext);
}

#[test]
fn checksum_is_the_plaintext_sha256_and_decrypts() {
    // FIPS 180-2's "abc" example, so the digest is checked against an outside value.
    let abc_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let key = PrivateKey::generate();
    let mut encryptor = Encryptor::with_segment_size(&key.public_key(), SEG).unwrap();
    let ciphertext = encrypt_all(&mut encryptor, b"abc").unwrap();
    let finished = encryptor.finish().unwrap();
    assert_eq!(hex::encode(finished.sha256), abc_sha256);
    let decryptor = Decryptor::new(&key, &ciphertext, ciphertext.len() as u64).unwrap();
    assert_eq!(decryptor.decrypt_checksum(&finished.encrypted_sha256).unwrap(), finished.sha256);
    let mut damaged = finished.encrypted_sha256.clone();
    damaged[0] ^= 1;
    assert_eq!(decryptor.decrypt_checksum(&damaged).unwrap_err(), CryptoError::Checksum);
}

#[test]
fn a_checksum_computed_elsewhere_is_sealed_as_given_once_the_file_is_finished() {
    let key = PrivateKey::generate();
    let digest = [7u8; 32];
    let early = Encryptor::with_segment_size(&key.public_key(), SEG).unwrap();
    assert_eq!(early.finish_with_sha256(digest).unwrap_err(), CryptoError::NotFinished);
    let mut encryptor = Encryptor::with_segment_size(&key.public_key(), SEG).unwrap();
    let ciphertext = encrypt_all(&mut encryptor, b"abc").unwrap();
    let finished = encryptor.finish_with_sha256(digest).unwrap();
    assert_eq!(finished.sha256, digest);
    let decryptor = Decryptor::new(&key, &ciphertext, ciphertext.len() as u64).unwrap();
    assert_eq!(decryptor.decrypt_checksum(&finished.encrypted_sha256).unwrap(), digest);
}

#[test]
fn random_access_decrypts_any_segment_alone() {
    let key = PrivateKey::generate();
    let plaintext = data(10 * SEG as usize + 100, 4);
    let ciphertext = encrypt(&key, &plaintext);
    let decryptor = Decryptor::new(&key, &ciphertext[..HEADER_LEN], ciphertext.len() as u64).unwrap();
    let layout = decryptor.layout();
    for index in [7u64, 0, 10, 3] {
        let start = layout.segment_offset(index) as usize;
        let len = layout.segment_plaintext_len(index, plaintext.len() as u64).unwrap() as usize;
        let segment = decryptor.decrypt_segment(index, &ciphertext[start..start + len + 16]).unwrap();
        let p = index as usize * SEG as usize;
        assert_eq!(segment, plaintext[p..p + len]);
    }
}

#[test]
fn a_flipped_bit_anywhere_is_refused() {
    let key = PrivateKey::generate();
    let ciphertext = encrypt(&key, &data(3 * SEG as usize + 10, 5));
    // Every header byte and a sample of body bytes (first, middle and last segment, tags).
    let positions: Vec<usize> = (0..HEADER_LEN).chain((HEADER_LEN..ciphertext.len()).step_by(97)).collect();
    for at in positions.into_iter().chain([ciphertext.len() - 1]) {
        let mut damaged = ciphertext.clone();
        damaged[at] ^= 0x04;
        assert!(decrypt_all(&key, &damaged).is_err(), "flipped byte {at}");
    }
}

#[test]
fn header_tampering_fails_with_typed_errors() {
    let key = PrivateKey::generate();
    let ciphertext = encrypt(&key, &data(2000, 6));
    let mut magic = ciphertext.clone();
    magic[1] = b'X';
    assert_eq!(decrypt_all(&key, &magic).unwrap_err(), CryptoError::BadMagic);
    let mut version = ciphertext.clone();
    version[4] = 9;
    assert_eq!(decrypt_all(&key, &version).unwrap_err(), CryptoError::UnsupportedVersion(9));
    // A changed nonce prefix is part of the AAD and of the nonces: segment 0 fails.
    let mut prefix = ciphertext.clone();
    prefix[10] ^= 1;
    assert_eq!(decrypt_all(&key, &prefix).unwrap_err(), CryptoError::SegmentAuthentication { index: 0 });
    // A changed sealed CEK does not open.
    let mut cek = ciphertext.clone();
    cek[40] ^= 1;
    assert_eq!(decrypt_all(&key, &cek).unwrap_err(), CryptoError::Unseal);
}

#[test]
fn truncation_at_a_segment_boundary_is_refused() {
    let key = PrivateKey::generate();
    let seg = SEG as usize;
    let ciphertext = encrypt(&key, &data(3 * seg, 7));
    let layout = Layout::new(SEG).unwrap();
    // Drop the final segment: the new last segment was not encrypted as final.
    let cut = layout.segment_offset(2) as usize;
    assert_eq!(
        decrypt_all(&key, &ciphertext[..cut]).unwrap_err(),
        CryptoError::SegmentAuthentication { index: 1 }
    );
    // Only the header left.
    assert!(decrypt_all(&key, &ciphertext[..HEADER_LEN]).is_err());
    // Cut inside a segment: an impossible length.
    assert!(matches!(
        decrypt_all(&key, &ciphertext[..cut + 5]).unwrap_err(),
        CryptoError::SegmentAuthentication { .. } | CryptoError::BadCiphertextLength(_)
    ));
}

#[test]
fn swapped_segments_are_refused() {
    let key = PrivateKey::generate();
    let seg = SEG as usize + 16;
    let mut ciphertext = encrypt(&key, &data(3 * SEG as usize + 1, 8));
    let (a, b) = (HEADER_LEN, HEADER_LEN + seg);
    let first: Vec<u8> = ciphertext[a..a + seg].to_vec();
    let second: Vec<u8> = ciphertext[b..b + seg].to_vec();
    ciphertext[a..a + seg].copy_from_slice(&second);
    ciphertext[b..b + seg].copy_from_slice(&first);
    assert_eq!(decrypt_all(&key, &ciphertext).unwrap_err(), CryptoError::SegmentAuthentication { index: 0 });
}

#[test]
fn a_segment_from_another_file_is_refused() {
    let key = PrivateKey::generate();
    let seg = SEG as usize + 16;
    let mut one = encrypt(&key, &data(2 * SEG as usize, 9));
    let other = encrypt(&key, &data(2 * SEG as usize, 9)); // same plaintext, other CEK
    one[HEADER_LEN..HEADER_LEN + seg].copy_from_slice(&other[HEADER_LEN..HEADER_LEN + seg]);
    assert_eq!(decrypt_all(&key, &one).unwrap_err(), CryptoError::SegmentAuthentication { index: 0 });
    // The other file's header in front of this file's body.
    let mut spliced = other[..HEADER_LEN].to_vec();
    spliced.extend_from_slice(&encrypt(&key, &data(2 * SEG as usize, 9))[HEADER_LEN..]);
    assert!(decrypt_all(&key, &spliced).is_err());
}

#[test]
fn the_wrong_key_cannot_open_the_file() {
    let ciphertext = encrypt(&PrivateKey::generate(), b"secret");
    assert_eq!(decrypt_all(&PrivateKey::generate(), &ciphertext).unwrap_err(), CryptoError::Unseal);
}

#[test]
fn the_encryptor_refuses_misuse() {
    let key = PrivateKey::generate();
    let mut encryptor = Encryptor::with_segment_size(&key.public_key(), SEG).unwrap();
    // A short segment that is not the last.
    assert!(matches!(encryptor.encrypt_segment(&[0; 10], false), Err(CryptoError::SegmentLength { .. })));
    // An oversized last segment.
    assert!(encryptor.encrypt_segment(&vec![0; SEG as usize + 1], true).is_err());
    encryptor.encrypt_segment(&vec![0; SEG as usize], false).unwrap();
    // An empty final segment after data.
    assert!(encryptor.encrypt_segment(&[], true).is_err());
    encryptor.encrypt_segment(&[1, 2, 3], true).unwrap();
    assert_eq!(encryptor.encrypt_segment(&[1], true).unwrap_err(), CryptoError::AlreadyFinished);

    let unfinished = Encryptor::with_segment_size(&key.public_key(), SEG).unwrap();
    assert_eq!(unfinished.finish().unwrap_err(), CryptoError::NotFinished);
}

#[test]
fn nonces_taken_for_webcrypto_are_handed_out_once_in_order() {
    let key = PrivateKey::generate();
    let mut encryptor = Encryptor::with_segment_size(&key.public_key(), SEG).unwrap();
    let first = encryptor.take_next_nonce(SEG as usize, false).unwrap();
    let second = encryptor.take_next_nonce(3, true).unwrap();
    assert_eq!(first[..7], second[..7], "one prefix per file");
    assert_eq!(&first[7..], &[0, 0, 0, 0, 0]);
    assert_eq!(&second[7..], &[0, 0, 0, 1, 1]);
    assert_eq!(encryptor.take_next_nonce(1, true).unwrap_err(), CryptoError::AlreadyFinished);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_plaintext_round_trips(plaintext in proptest::collection::vec(any::<u8>(), 0..5000)) {
        let key = PrivateKey::generate();
        let ciphertext = encrypt(&key, &plaintext);
        prop_assert_eq!(decrypt_all(&key, &ciphertext).unwrap(), plaintext);
    }

    #[test]
    fn any_single_byte_change_is_detected(
        plaintext in proptest::collection::vec(any::<u8>(), 0..3000),
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let key = PrivateKey::generate();
        let mut ciphertext = encrypt(&key, &plaintext);
        let at = position.index(ciphertext.len());
        ciphertext[at] ^= flip;
        prop_assert!(decrypt_all(&key, &ciphertext).is_err());
    }

    #[test]
    fn any_truncation_is_detected(plaintext in proptest::collection::vec(any::<u8>(), 1..4000), cut in any::<prop::sample::Index>()) {
        let key = PrivateKey::generate();
        let ciphertext = encrypt(&key, &plaintext);
        let keep = cut.index(ciphertext.len());
        prop_assert!(decrypt_all(&key, &ciphertext[..keep]).is_err());
    }
}

#[test]
fn part_checks_are_keyed_by_the_file_key_and_follow_the_plaintext() {
    let key = PrivateKey::generate();
    let first = Encryptor::new(&key.public_key()).unwrap();
    let second = Encryptor::new(&key.public_key()).unwrap();
    let part = data(10_000, 3);
    // The same file key gives the same check (a resumed upload recomputes it) ...
    assert_eq!(first.part_check(&part), first.part_check(&part));
    // ... a changed byte another, and another file's key another again: the check says
    // nothing about the plaintext without the key.
    let mut changed = part.clone();
    changed[5_000] ^= 1;
    assert_ne!(first.part_check(&part), first.part_check(&changed));
    assert_ne!(first.part_check(&part), second.part_check(&part));
    // A check covers the whole file before the part's end: a byte changed in an earlier part
    // changes the checks of every part after it.
    let mut file = data(20_000, 4);
    let second_part = first.part_check(&file);
    file[100] ^= 1;
    assert_ne!(first.part_check(&file), second_part);
}

#[test]
fn a_resumed_file_continues_with_the_same_key_and_nonces() {
    let key = PrivateKey::generate();
    let plaintext = data(5 * SEG as usize + 100, 9);
    let mut first = Encryptor::with_segment_size(&key.public_key(), SEG).unwrap();
    let whole = encrypt_all(&mut first, &plaintext).unwrap();
    let checksum = first.finish().unwrap();

    // Cut short after two segments: the rest is encrypted by a resumed encryptor.
    let mut resumed = Encryptor::resume(&key, &whole[..HEADER_LEN]).unwrap();
    let sent = 2 * SEG as usize;
    for segment in plaintext[..sent].chunks(SEG as usize) {
        resumed.take_next_nonce(segment.len(), false).unwrap();
        resumed.hash_plaintext(segment);
    }
    let mut rest = Vec::new();
    let chunks: Vec<&[u8]> = plaintext[sent..].chunks(SEG as usize).collect();
    for (i, segment) in chunks.iter().enumerate() {
        rest.extend(resumed.encrypt_segment(segment, i + 1 == chunks.len()).unwrap());
    }
    let layout = Layout::new(SEG).unwrap();
    assert_eq!(rest, whole[layout.segment_offset(2) as usize..], "the same bytes as one run");
    assert_eq!(resumed.finish().unwrap().sha256, checksum.sha256);
    assert_eq!(decrypt_all(&key, &whole).unwrap(), plaintext);
    // Another project's key cannot resume it.
    assert!(Encryptor::resume(&PrivateKey::generate(), &whole[..HEADER_LEN]).is_err());
}
