//! The SHA-256 work a first import of a million Mailchimp opens cannot avoid, timed alone with the
//! crates turnout uses: per row, the person's keyed hash and the identity's keyed part (two
//! HMAC-SHA256 of the address) and the row's identity (a SHA-256 of what identifies it), then the
//! file's own SHA-256 (the ledger's).

use std::time::Instant;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const ROWS: u32 = 1_000_000;
const FILE_BYTES: usize = 43_644_543;

fn main() {
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).expect("any key length");
    let started = Instant::now();
    let mut fold = 0u8;
    for i in 0..ROWS {
        let email = format!("person.{}@example.org", i % 200_000);
        let mut person = keyed.clone();
        person.update(b"email:");
        person.update(email.as_bytes());
        let person = hex::encode(person.finalize().into_bytes());
        let mut part = keyed.clone();
        part.update(b"row:email:");
        part.update(email.as_bytes());
        let part = hex::encode(part.finalize().into_bytes());
        let mut identity = Sha256::new();
        identity.update(b"mailchimp\x1f0\x1f4829105\x1f2026-09-01 00:00:00\x1f");
        identity.update(part.as_bytes());
        fold ^= identity.finalize()[0] ^ person.as_bytes()[0];
    }
    let rows = started.elapsed();
    let file = vec![b'x'; FILE_BYTES];
    let started = Instant::now();
    let checksum = Sha256::digest(&file);
    let whole = started.elapsed();
    println!(
        "three hashes for each of {ROWS} rows: {:.2} s; the file's checksum ({FILE_BYTES} bytes): {:.2} s ({fold:02x}{:02x})",
        rows.as_secs_f64(),
        whole.as_secs_f64(),
        checksum[0]
    );
}
