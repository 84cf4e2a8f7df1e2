//! A test client of the protocol (feature `test-client`), for this crate's
//! tests and the provider's: run a server in-process with Terraform's
//! environment, and connect to it as Terraform would (gRPC over mutual TLS,
//! trusting exactly the certificate from the handshake line). Test support:
//! it panics on whatever a test should fail on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::proto::plugin::grpc_controller_client::GrpcControllerClient;
use crate::proto::tfplugin5::provider_client::ProviderClient as ProviderClientV5;
use crate::proto::tfplugin6::provider_client::ProviderClient;
use crate::server::Provider;
use base64::Engine as _;
use hyper_util::rt::TokioIo;
use p521::ecdsa::signature::Signer as _;
use p521::pkcs8::DecodePrivateKey as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};
use tonic::transport::Channel;

/// The go-plugin magic cookie Terraform sets, as (variable, value).
pub const COOKIE: (&str, &str) = (
    crate::server::MAGIC_COOKIE_KEY,
    crate::server::MAGIC_COOKIE_VALUE,
);

/// Terraform-like client certificate: self-signed ECDSA P-521.
pub const CLIENT_CERT_PEM: &str = include_str!("../tests/fixtures/p521-client.cert.pem");
pub const CLIENT_KEY_PEM: &str = include_str!("../tests/fixtures/p521-client.key.pem");

/// The parsed handshake line.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub line: String,
    /// The negotiated Terraform plugin protocol version (5 or 6).
    pub protocol: u32,
    pub addr: SocketAddr,
    pub server_cert: Option<Vec<u8>>,
}

pub fn parse_handshake(line: &str) -> Handshake {
    let fields: Vec<&str> = line.trim_end_matches('\n').split('|').collect();
    assert_eq!(fields.len(), 6, "handshake line {line:?}");
    assert_eq!(fields[0], "1", "core protocol version");
    let protocol: u32 = fields[1].parse().expect("app protocol version");
    assert!(
        protocol == 5 || protocol == 6,
        "app protocol version {protocol}"
    );
    assert_eq!(fields[2], "tcp");
    assert_eq!(fields[4], "grpc");
    let addr: SocketAddr = fields[3].parse().expect("address");
    assert!(addr.ip().is_loopback(), "listens on loopback only: {addr}");
    let server_cert = if fields[5].is_empty() {
        None
    } else {
        assert!(!fields[5].ends_with('='), "base64 without padding");
        Some(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(fields[5])
                .expect("certificate base64"),
        )
    };
    Handshake {
        line: line.to_owned(),
        protocol,
        addr,
        server_cert,
    }
}

/// Collects what the server writes as its stdout.
struct LineWriter(mpsc::Sender<Vec<u8>>);

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A server running `serve_with_env` on its own thread.
pub struct InProcess {
    pub handshake: Handshake,
    pub thread: JoinHandle<ExitCode>,
    pub stdout: mpsc::Receiver<Vec<u8>>,
}

/// Starts `provider` in-process with Terraform's environment (TLS on, the
/// fixture P-521 certificate as `PLUGIN_CLIENT_CERT`) plus `extra` variables.
pub fn start<P: Provider>(provider: P, extra: &[(&str, &str)]) -> InProcess {
    let mut env: Vec<(String, String)> = vec![
        (COOKIE.0.into(), COOKIE.1.into()),
        ("PLUGIN_PROTOCOL_VERSIONS".into(), "5,6".into()),
        ("PLUGIN_CLIENT_CERT".into(), CLIENT_CERT_PEM.into()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let lookup = move |k: &str| {
            env.iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        crate::server::serve_with_env(provider, &lookup, &mut LineWriter(tx))
    });
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("handshake line");
    let line = String::from_utf8(first).expect("utf-8 handshake");
    InProcess {
        handshake: parse_handshake(&line),
        thread,
        stdout: rx,
    }
}

/// Which certificate the test client presents.
pub enum ClientAuth {
    /// The certificate Terraform announced (`PLUGIN_CLIENT_CERT`).
    Expected,
    /// Some other valid self-signed certificate.
    Other,
    /// The announced certificate, but signing with another P-521 key (the
    /// certificate is public; only its key holder may use it).
    ExpectedCertWrongKey,
    /// The announced certificate and key, but TLS 1.2 only.
    ExpectedTls12Only,
    /// None at all.
    Nothing,
}

/// Trusts exactly one server certificate, as go-plugin's client does.
#[derive(Debug)]
struct ExactServerCert(Vec<u8>);

impl ServerCertVerifier for ExactServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(server_name.to_str(), "localhost");
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, &algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, &algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Signs TLS handshakes with a P-521 key (ring cannot), like Go's client.
#[derive(Debug)]
struct P521Key(p521::ecdsa::SigningKey);

impl rustls::sign::SigningKey for P521Key {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn rustls::sign::Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
            .then(|| Box::new(P521Signer(self.0.clone())) as Box<dyn rustls::sign::Signer>)
    }

    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        rustls::SignatureAlgorithm::ECDSA
    }
}

#[derive(Debug)]
struct P521Signer(p521::ecdsa::SigningKey);

impl rustls::sign::Signer for P521Signer {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        let sig: p521::ecdsa::Signature = self.0.sign(message);
        Ok(sig.to_der().as_bytes().to_vec())
    }

    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP521_SHA512
    }
}

#[derive(Debug)]
struct FixedClientCert(Arc<CertifiedKey>);

impl rustls::client::ResolvesClientCert for FixedClientCert {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }

    fn has_certs(&self) -> bool {
        true
    }
}

fn client_config(server_cert: &[u8], auth: ClientAuth) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match auth {
        ClientAuth::ExpectedTls12Only => &[&rustls::version::TLS12],
        _ => rustls::DEFAULT_VERSIONS,
    };
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ExactServerCert(server_cert.to_vec())));
    let expected_cert_with = |secret: p521::SecretKey| {
        let cert = CertificateDer::from_pem_slice(CLIENT_CERT_PEM.as_bytes()).unwrap();
        let key = Arc::new(P521Key(p521::ecdsa::SigningKey::from(&secret)));
        Arc::new(FixedClientCert(Arc::new(CertifiedKey::new(
            vec![cert],
            key,
        ))))
    };
    let mut config = match auth {
        ClientAuth::Expected | ClientAuth::ExpectedTls12Only => builder.with_client_cert_resolver(
            expected_cert_with(p521::SecretKey::from_pkcs8_pem(CLIENT_KEY_PEM).unwrap()),
        ),
        ClientAuth::ExpectedCertWrongKey => {
            // A valid P-521 scalar (below the group order), not the
            // certificate's key.
            let mut bytes = [0u8; 66];
            for (i, b) in bytes.iter_mut().enumerate().skip(1) {
                *b = i as u8;
            }
            builder.with_client_cert_resolver(expected_cert_with(
                p521::SecretKey::from_slice(&bytes).unwrap(),
            ))
        }
        ClientAuth::Other => {
            let key = rcgen::KeyPair::generate().unwrap();
            let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
                .unwrap()
                .self_signed(&key)
                .unwrap();
            builder
                .with_client_auth_cert(
                    vec![cert.der().clone()],
                    PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
                )
                .unwrap()
        }
        ClientAuth::Nothing => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// A gRPC channel to the server, over TLS unless the handshake announced no
/// certificate. Errors (for refused clients) may show up here or on the
/// first call.
pub async fn channel(hs: &Handshake, auth: ClientAuth) -> Result<Channel, String> {
    let addr = hs.addr;
    let endpoint = tonic::transport::Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5));
    match &hs.server_cert {
        None => endpoint
            .connect_with_connector(tower::service_fn(
                move |_: tonic::codegen::http::Uri| async move {
                    let tcp = tokio::net::TcpStream::connect(addr).await?;
                    Ok::<_, std::io::Error>(TokioIo::new(tcp))
                },
            ))
            .await
            .map_err(|e| format!("{e:?}")),
        Some(cert) => {
            let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(cert, auth)));
            endpoint
                .connect_with_connector(tower::service_fn(move |_: tonic::codegen::http::Uri| {
                    let connector = connector.clone();
                    async move {
                        let tcp = tokio::net::TcpStream::connect(addr).await?;
                        let tls = connector
                            .connect(ServerName::try_from("localhost").unwrap(), tcp)
                            .await?;
                        Ok::<_, std::io::Error>(TokioIo::new(tls))
                    }
                }))
                .await
                .map_err(|e| format!("{e:?}"))
        }
    }
}

/// A protocol 6 client, as Terraform's.
pub async fn provider_client(hs: &Handshake) -> ProviderClient<Channel> {
    assert_eq!(hs.protocol, 6, "the server speaks protocol {}", hs.protocol);
    ProviderClient::new(channel(hs, ClientAuth::Expected).await.expect("connect"))
}

/// A protocol 5 client, as Terraform's when the provider answered 5.
pub async fn provider_client_v5(hs: &Handshake) -> ProviderClientV5<Channel> {
    assert_eq!(hs.protocol, 5, "the server speaks protocol {}", hs.protocol);
    ProviderClientV5::new(channel(hs, ClientAuth::Expected).await.expect("connect"))
}

/// Calls GRPCController/Shutdown.
pub async fn shutdown(hs: &Handshake) {
    let ch = channel(hs, ClientAuth::Expected).await.expect("connect");
    GrpcControllerClient::new(ch)
        .shutdown(crate::proto::plugin::Empty {})
        .await
        .expect("Shutdown");
}

/// Waits (without blocking the test's runtime, whose client tasks must
/// keep answering the server's HTTP/2 shutdown) for an in-process server
/// thread to finish, and returns how long that took too.
pub async fn join(thread: JoinHandle<ExitCode>) -> (ExitCode, Duration) {
    let started = std::time::Instant::now();
    let deadline = started + Duration::from_secs(10);
    while !thread.is_finished() {
        assert!(
            std::time::Instant::now() < deadline,
            "server did not exit after Shutdown"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (
        thread.join().expect("server thread panicked"),
        started.elapsed(),
    )
}
