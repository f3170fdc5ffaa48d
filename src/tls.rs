//! TLS for the gRPC port: a certificate and key, and optionally a client CA for mutual TLS
//! (rustls, through tonic).

use std::path::{Path, PathBuf};

use tonic::transport::{Certificate, Identity, ServerTlsConfig};

use crate::error::{Error, Result};

/// The PEM files TLS is configured from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// When set, clients must present a certificate signed by this CA.
    pub client_ca: Option<PathBuf>,
}

impl TlsFiles {
    /// Reads and checks the files; every error names the file and the problem.
    pub fn load(&self) -> Result<ServerTlsConfig> {
        let cert = read_pem(&self.cert, "CERTIFICATE", "TLS certificate")?;
        let key = read_pem(&self.key, "PRIVATE KEY", "TLS key")?;
        let mut config = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
        if let Some(ca) = &self.client_ca {
            let ca = read_pem(ca, "CERTIFICATE", "TLS client CA")?;
            config = config.client_ca_root(Certificate::from_pem(ca));
        }
        // Build an acceptor once now, so that a key that does not match its certificate fails
        // at startup, not at the first handshake.
        tonic::transport::Server::builder()
            .tls_config(config.clone())
            .map_err(|e| {
                Error::Tls(format!(
                    "TLS files {} and {}: {}",
                    self.cert.display(),
                    self.key.display(),
                    source_chain(&e)
                ))
            })?;
        Ok(config)
    }
}

/// A PEM file that must contain a block whose label ends in `label` (`PRIVATE KEY` matches
/// `RSA PRIVATE KEY` and `EC PRIVATE KEY` too).
fn read_pem(path: &Path, label: &str, what: &str) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Tls(format!("cannot read {what} {}: {e}", path.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    let has_block = text.lines().any(|l| {
        l.strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
            .is_some_and(|l| l.ends_with(label))
    });
    if !has_block {
        return Err(Error::Tls(format!(
            "{what} {}: no PEM \"{label}\" block",
            path.display()
        )));
    }
    Ok(bytes)
}

fn source_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path, cert: &str, key: &str) -> TlsFiles {
        std::fs::write(dir.join("cert.pem"), cert).unwrap();
        std::fs::write(dir.join("key.pem"), key).unwrap();
        TlsFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
            client_ca: None,
        }
    }

    #[test]
    fn a_generated_pair_loads() {
        let dir = tempfile::tempdir().unwrap();
        let pair = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let tls = files(
            dir.path(),
            &pair.cert.pem(),
            &pair.signing_key.serialize_pem(),
        );
        tls.load().unwrap();
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let missing = TlsFiles {
            cert: dir.path().join("nope.pem"),
            key: dir.path().join("nope.key"),
            client_ca: None,
        };
        let e = missing.load().unwrap_err().to_string();
        assert!(
            e.contains("cannot read TLS certificate") && e.contains("nope.pem"),
            "{e}"
        );

        let pair = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let swapped = files(
            dir.path(),
            &pair.signing_key.serialize_pem(),
            &pair.cert.pem(),
        );
        let e = swapped.load().unwrap_err().to_string();
        assert!(e.contains("TLS certificate") && e.contains("no PEM"), "{e}");

        let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let mismatched = files(
            dir.path(),
            &pair.cert.pem(),
            &other.signing_key.serialize_pem(),
        );
        let e = mismatched.load().unwrap_err().to_string();
        assert!(e.contains("TLS files"), "{e}");
    }
}
