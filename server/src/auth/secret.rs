//! The server secret: from the configuration, or kept in `<data_dir>/secret.key` (created once,
//! mode 0600) for a single node. Purpose-specific keys are derived from it with HKDF.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
#[error("cannot read or create the server secret {path}: {source}")]
pub struct SecretError {
    path: String,
    source: std::io::Error,
}

#[derive(Clone)]
pub struct ServerSecret(std::sync::Arc<Zeroizing<Vec<u8>>>);

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(..)")
    }
}

impl ServerSecret {
    pub fn from_bytes(bytes: Vec<u8>) -> ServerSecret {
        ServerSecret(std::sync::Arc::new(Zeroizing::new(bytes)))
    }

    /// The configured secret, else the one in `data_dir` (created if missing).
    pub fn load(configured: Option<&[u8]>, data_dir: &Path) -> Result<ServerSecret, SecretError> {
        if let Some(bytes) = configured {
            return Ok(ServerSecret::from_bytes(bytes.to_vec()));
        }
        let path = data_dir.join("secret.key");
        let error = |source| SecretError { path: path.display().to_string(), source };
        match std::fs::read_to_string(&path) {
            Ok(text) => hex::decode(text.trim())
                .ok()
                .filter(|b| b.len() >= 32)
                .map(ServerSecret::from_bytes)
                .ok_or_else(|| error(std::io::Error::other("not 32+ bytes of hex"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::files::create_private_dir(data_dir).map_err(error)?;
                let mut bytes = vec![0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                crate::files::write_private(&path, &hex::encode(&bytes)).map_err(error)?;
                Ok(ServerSecret::from_bytes(bytes))
            }
            Err(e) => Err(error(e)),
        }
    }

    /// HMAC-SHA256 under a key derived for `purpose`.
    pub fn mac(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = ServerSecret::load(None, dir.path()).unwrap();
        let second = ServerSecret::load(None, dir.path()).unwrap();
        assert_eq!(first.mac("x", b"y"), second.mac("x", b"y"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn purposes_separate_the_macs() {
        let secret = ServerSecret::from_bytes(vec![1; 32]);
        assert_ne!(secret.mac("fake-salt", b"alice"), secret.mac("code", b"alice"));
        assert_ne!(secret.mac("fake-salt", b"alice"), secret.mac("fake-salt", b"bob"));
    }
}
