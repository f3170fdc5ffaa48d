//! TLS and mutual TLS on the gRPC port, with certificates made for each test run (rcgen).

mod common;

use std::path::Path;

use common::{TestServer, fixture};
use newstag::pb::TagRequest;
use newstag::pb::tagger_client::TaggerClient;
use newstag::server::ServeOptions;
use newstag::service::Limits;
use newstag::tls::TlsFiles;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

/// A CA, a server certificate for `localhost` and a client certificate, all written as PEM.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
    client: (String, String),
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let leaf = |names: Vec<String>| {
            let key = KeyPair::generate().unwrap();
            let cert = CertificateParams::new(names)
                .unwrap()
                .signed_by(&key, &ca)
                .unwrap();
            (cert.pem(), key.serialize_pem())
        };
        let server = leaf(vec!["localhost".into()]);
        let client = leaf(vec!["client.newstag.test".into()]);
        std::fs::write(dir.path().join("server.pem"), &server.0).unwrap();
        std::fs::write(dir.path().join("server.key"), &server.1).unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        Self {
            dir,
            ca_pem: ca.pem(),
            client,
        }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    fn server_files(&self, mutual: bool) -> TlsFiles {
        TlsFiles {
            cert: self.path("server.pem"),
            key: self.path("server.key"),
            client_ca: mutual.then(|| self.path("ca.pem")),
        }
    }
}

async fn start(files: &TlsFiles) -> TestServer {
    TestServer::start_with(
        Limits::default(),
        None,
        ServeOptions {
            tls: Some(files.load().expect("test certificates load")),
            ..ServeOptions::default()
        },
    )
    .await
}

async fn connect(
    server: &TestServer,
    tls: Option<ClientTlsConfig>,
) -> Result<TaggerClient<Channel>, tonic::transport::Error> {
    let scheme = if tls.is_some() { "https" } else { "http" };
    let mut endpoint =
        Channel::from_shared(format!("{scheme}://localhost:{}", server.addr.port())).unwrap();
    if let Some(tls) = tls {
        endpoint = endpoint.tls_config(tls)?;
    }
    Ok(TaggerClient::new(endpoint.connect().await?))
}

fn trusting(ca_pem: &str) -> ClientTlsConfig {
    ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca_pem))
        .domain_name("localhost")
}

async fn tag(client: &mut TaggerClient<Channel>) -> Result<(), tonic::Status> {
    client
        .tag(TagRequest {
            id: "tls".into(),
            text: fixture("recall_page.txt"),
            ..Default::default()
        })
        .await
        .map(|r| assert_eq!(r.into_inner().id, "tls"))
}

#[tokio::test]
async fn tls_serves_clients_that_trust_the_ca_and_refuses_plaintext() {
    let pki = Pki::new();
    let server = start(&pki.server_files(false)).await;

    let mut client = connect(&server, Some(trusting(&pki.ca_pem))).await.unwrap();
    tag(&mut client).await.unwrap();

    // A plaintext client gets no answer from a TLS port.
    let plain = match connect(&server, None).await {
        Ok(mut client) => tag(&mut client).await.is_err(),
        Err(_) => true,
    };
    assert!(plain, "a plaintext call was answered on the TLS port");

    // A client that does not trust the server's CA refuses the handshake.
    let stranger = Pki::new();
    let untrusted = match connect(&server, Some(trusting(&stranger.ca_pem))).await {
        Ok(mut client) => tag(&mut client).await.is_err(),
        Err(_) => true,
    };
    assert!(
        untrusted,
        "a client accepted a certificate from an unknown CA"
    );

    // The server still serves after the failed handshakes.
    tag(&mut client).await.unwrap();
}

#[tokio::test]
async fn mutual_tls_needs_a_client_certificate_from_the_ca() {
    let pki = Pki::new();
    let server = start(&pki.server_files(true)).await;

    let with_cert =
        trusting(&pki.ca_pem).identity(Identity::from_pem(&pki.client.0, &pki.client.1));
    let mut client = connect(&server, Some(with_cert)).await.unwrap();
    tag(&mut client).await.unwrap();

    let without_cert = match connect(&server, Some(trusting(&pki.ca_pem))).await {
        Ok(mut client) => tag(&mut client).await.is_err(),
        Err(_) => true,
    };
    assert!(without_cert, "a client without a certificate was served");

    // A certificate from another CA is refused too.
    let other = Pki::new();
    let foreign =
        trusting(&pki.ca_pem).identity(Identity::from_pem(&other.client.0, &other.client.1));
    let refused = match connect(&server, Some(foreign)).await {
        Ok(mut client) => tag(&mut client).await.is_err(),
        Err(_) => true,
    };
    assert!(
        refused,
        "a client certificate from an unknown CA was accepted"
    );

    tag(&mut client).await.unwrap();
}

#[test]
fn unreadable_tls_files_stop_the_server_with_one_line() {
    let pki = Pki::new();
    let binary = env!("CARGO_BIN_EXE_newstag");
    let missing = pki.path("missing.key");
    let cases: [(&Path, &Path, &str); 2] = [
        (&pki.path("server.pem"), &missing, "cannot read TLS key"),
        (
            &pki.path("server.key"),
            &pki.path("server.key"),
            "TLS certificate",
        ),
    ];
    for (cert, key, expected) in cases {
        let out = std::process::Command::new(binary)
            .args(["serve", "--addr", "127.0.0.1:0", "--tls-cert"])
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}
