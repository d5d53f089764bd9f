//! DDS key hierarchy and the streaming file format v1 (DESIGN.md §3–4).
//!
//! Pure functions over bytes, no I/O: compiled natively (server tests, a future CLI) and to
//! wasm32 for the browser. Filled in by the wasm-crypto issue; the foundation only reserves the
//! crate and its `wasm` feature so the workspace and toolchain are in place.

/// Version of the on-disk/in-bucket file format this crate reads and writes.
pub const FORMAT_VERSION: u8 = 1;

#[cfg(test)]
mod tests {
    #[test]
    fn format_version_is_one() {
        assert_eq!(super::FORMAT_VERSION, 1);
    }
}
