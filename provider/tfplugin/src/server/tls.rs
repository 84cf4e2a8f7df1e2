//! AutoMTLS as go-plugin does it.
//!
//! - The plugin makes a fresh self-signed certificate per process (ECDSA
//!   P-256, SAN `localhost`, usable as its own CA) and announces it in the
//!   handshake line; Terraform trusts exactly that certificate.
//! - Terraform's client certificate arrives in `PLUGIN_CLIENT_CERT`. Client
//!   authentication is required, and only that exact certificate (DER
//!   equality) is accepted. Its handshake signature is verified; Terraform's
//!   key is ECDSA P-521, which `ring` cannot verify, so that one algorithm is
//!   implemented with RustCrypto's `p521` (ring still does key exchange,
//!   ciphers and every other signature).
//! - TLS 1.3 only (Go's TLS stack prefers it; it also pins each ECDSA
//!   signature scheme to its curve), ALPN `h2` for gRPC.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, PrivateKeyDer, PrivatePkcs8KeyDer,
    SignatureVerificationAlgorithm, UnixTime, alg_id,
};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};

/// The server's certificate and key for one process.
pub(crate) struct ServerIdentity {
    pub(crate) cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

/// Makes a fresh self-signed server certificate.
pub(crate) fn generate_identity() -> Result<ServerIdentity, String> {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName as Dn, DnType,
        ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    };
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
        .map_err(|e| format!("key generation failed: {e}"))?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])
        .map_err(|e| format!("certificate parameters: {e}"))?;
    let mut dn = Dn::new();
    dn.push(DnType::CommonName, "localhost");
    dn.push(DnType::OrganizationName, "portmap");
    params.distinguished_name = dn;
    // go-plugin's client adds the certificate to its root pool, so it is a CA
    // that also serves as the leaf.
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("self-signing failed: {e}"))?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
    })
}

/// Parses the first certificate of a PEM text (the `PLUGIN_CLIENT_CERT`
/// form).
pub(crate) fn parse_client_cert(pem: &str) -> Result<CertificateDer<'static>, String> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| format!("PLUGIN_CLIENT_CERT is not a PEM certificate: {e}"))
}

/// The rustls server configuration: our identity, Terraform's certificate
/// required.
pub(crate) fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(ExactClientCert::new(client_cert));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )
        .map_err(|e| format!("TLS setup: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Accepts exactly one client certificate, and checks the handshake
/// signature made with its key.
#[derive(Debug)]
pub(crate) struct ExactClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ExactClientCert {
    pub(crate) fn new(expected: CertificateDer<'static>) -> Self {
        Self {
            expected,
            algorithms: supported_algorithms(),
        }
    }
}

impl ClientCertVerifier for ExactClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::warn!(
                "refused a TLS client: its certificate is not the one in PLUGIN_CLIENT_CERT"
            );
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// ECDSA on P-521 with SHA-512 (`ecdsa_secp521r1_sha512`), verified with
/// RustCrypto's `p521`.
#[derive(Debug)]
pub(crate) struct EcdsaP521Sha512;

pub(crate) static ECDSA_P521_SHA512: EcdsaP521Sha512 = EcdsaP521Sha512;
static P521_ONLY: [&dyn SignatureVerificationAlgorithm; 1] = [&ECDSA_P521_SHA512];

impl SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use p521::ecdsa::signature::Verifier as _;
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature =
            p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA512
    }
}

/// ring's signature algorithms plus ECDSA P-521/SHA-512.
pub(crate) fn supported_algorithms() -> WebPkiSupportedAlgorithms {
    static ALGORITHMS: OnceLock<WebPkiSupportedAlgorithms> = OnceLock::new();
    *ALGORITHMS.get_or_init(|| {
        let base: CryptoProvider = rustls::crypto::ring::default_provider();
        let base = base.signature_verification_algorithms;
        let mut all = base.all.to_vec();
        all.push(&ECDSA_P521_SHA512);
        let mut mapping = base.mapping.to_vec();
        mapping.retain(|(scheme, _)| *scheme != SignatureScheme::ECDSA_NISTP521_SHA512);
        // After the P-384 entry: the order is the preference order announced
        // to clients; a P-521 key can only use this scheme anyway.
        let at = mapping
            .iter()
            .position(|(s, _)| *s == SignatureScheme::ECDSA_NISTP384_SHA384)
            .map_or(0, |i| i + 1);
        mapping.insert(at, (SignatureScheme::ECDSA_NISTP521_SHA512, &P521_ONLY));
        // Built once per process; the slices must be 'static for rustls.
        WebPkiSupportedAlgorithms {
            all: Box::leak(all.into_boxed_slice()),
            mapping: Box::leak(mapping.into_boxed_slice()),
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use p521::ecdsa::signature::Signer as _;
    use p521::pkcs8::DecodePrivateKey as _;

    const KEY_PEM: &str = include_str!("../../tests/fixtures/p521-client.key.pem");

    fn signing_key() -> p521::ecdsa::SigningKey {
        let secret = p521::SecretKey::from_pkcs8_pem(KEY_PEM).unwrap();
        p521::ecdsa::SigningKey::from(&secret)
    }

    #[test]
    fn p521_accepts_valid_and_rejects_tampered_signatures() {
        let sk = signing_key();
        let public = sk.verifying_key().to_sec1_bytes();
        let message = b"TLS 1.3, client CertificateVerify\x00transcript hash";
        let sig: p521::ecdsa::Signature = sk.sign(message);
        let der = sig.to_der();
        let der = der.as_bytes();

        assert!(
            ECDSA_P521_SHA512
                .verify_signature(&public, message, der)
                .is_ok()
        );

        let mut other_message = message.to_vec();
        other_message[0] ^= 1;
        assert!(
            ECDSA_P521_SHA512
                .verify_signature(&public, &other_message, der)
                .is_err()
        );

        let mut bad_sig = der.to_vec();
        let last = bad_sig.len() - 1;
        bad_sig[last] ^= 0x40;
        assert!(
            ECDSA_P521_SHA512
                .verify_signature(&public, message, &bad_sig)
                .is_err()
        );

        assert!(
            ECDSA_P521_SHA512
                .verify_signature(&public, message, &der[..der.len() - 3])
                .is_err()
        );
        assert!(
            ECDSA_P521_SHA512
                .verify_signature(&public[..40], message, der)
                .is_err()
        );
        assert!(
            ECDSA_P521_SHA512
                .verify_signature(&[], message, &[])
                .is_err()
        );
    }

    #[test]
    fn p521_is_announced_and_mapped() {
        let algs = supported_algorithms();
        assert!(
            algs.supported_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
        assert!(
            algs.supported_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP256_SHA256)
        );
        let verifier = ExactClientCert::new(CertificateDer::from(vec![1, 2, 3]));
        assert!(verifier.client_auth_mandatory());
        assert!(
            verifier
                .supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
    }

    #[test]
    fn only_the_expected_certificate_is_accepted() {
        let verifier = ExactClientCert::new(CertificateDer::from(vec![1, 2, 3]));
        let now = UnixTime::now();
        assert!(
            verifier
                .verify_client_cert(&CertificateDer::from(vec![1, 2, 3]), &[], now)
                .is_ok()
        );
        assert!(
            verifier
                .verify_client_cert(&CertificateDer::from(vec![1, 2, 4]), &[], now)
                .is_err()
        );
        assert!(
            verifier
                .verify_client_cert(&CertificateDer::from(vec![1, 2]), &[], now)
                .is_err()
        );
    }

    #[test]
    fn identity_is_a_localhost_ca() {
        let id = generate_identity().unwrap();
        assert!(server_config(&id, CertificateDer::from(vec![1])).is_ok());
        // The DER contains the SAN "localhost" and the basicConstraints CA flag.
        let der = id.cert_der.as_ref();
        assert!(der.windows(9).any(|w| w == b"localhost"));
        // basicConstraints extension OID 2.5.29.19 followed by cA TRUE.
        assert!(der.windows(3).any(|w| w == [0x55, 0x1d, 0x13]));
    }
}
