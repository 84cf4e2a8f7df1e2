//! The go-plugin handshake as Terraform's plugin client drives it: the magic
//! cookie, protocol version negotiation, the port range, TLS settings, and
//! the one line the plugin prints on stdout.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

use base64::Engine as _;

/// Terraform sets this variable to [`MAGIC_COOKIE_VALUE`] when it starts a
/// provider (go-plugin's handshake "magic cookie", the same for every
/// Terraform and OpenTofu provider).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value of [`MAGIC_COOKIE_KEY`] Terraform sets.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's own protocol version (the first handshake field).
pub const CORE_PROTOCOL_VERSION: u32 = 1;

/// The Terraform plugin protocol major versions this server speaks (the
/// second handshake field is the one negotiated), oldest first.
pub const PROTOCOL_VERSIONS: [u32; ProtocolVersion::SUPPORTED.len()] = {
    let mut numbers = [0; ProtocolVersion::SUPPORTED.len()];
    let mut i = 0;
    while i < numbers.len() {
        numbers[i] = ProtocolVersion::SUPPORTED[i].number();
        i += 1;
    }
    numbers
};

/// What a person sees when running the binary by hand.
pub(crate) const NOT_A_COMMAND: &str = "\
This binary is a plugin for Terraform/OpenTofu. It is not meant to be run directly:
Terraform (or OpenTofu) starts it when a configuration uses the provider.
See the README for how to install and use it.";

/// A debugging aid: set to `5` or `6`, the plugin speaks that protocol
/// version (if the host offers it) instead of the newest one both sides
/// speak. Terraform passes its own environment to the plugins it starts, so
/// `TFPLUGIN_PROTOCOL_VERSION_OVERRIDE=5 terraform plan` runs a provider
/// over protocol 5 although Terraform offers 5 and 6.
pub(crate) const PROTOCOL_OVERRIDE_KEY: &str = "TFPLUGIN_PROTOCOL_VERSION_OVERRIDE";

/// The Terraform plugin protocol versions this server can speak. Each
/// version has its own wire types and gRPC service; everything else (the
/// handshake, TLS, values, schemas, dispatch to the provider, panic
/// handling) is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProtocolVersion {
    /// `tfplugin5` (Terraform 0.12 and later; no nested attributes).
    V5,
    /// `tfplugin6` (Terraform 0.15.4 and later), preferred.
    V6,
}

impl ProtocolVersion {
    const SUPPORTED: [ProtocolVersion; 2] = [ProtocolVersion::V5, ProtocolVersion::V6];

    pub(crate) const fn number(self) -> u32 {
        match self {
            Self::V5 => 5,
            Self::V6 => 6,
        }
    }
}

/// Everything the handshake learned from the environment.
#[derive(Debug)]
pub(crate) struct HandshakeEnv {
    pub(crate) protocol: ProtocolVersion,
    /// `None` when TLS is disabled.
    pub(crate) client_cert_pem: Option<String>,
    pub(crate) port_range: Option<(u16, u16)>,
}

/// Why the plugin cannot start; `Display` is the message for stderr.
#[derive(Debug)]
pub(crate) enum HandshakeError {
    NotStartedByTerraform,
    NoCommonProtocol(String),
    BadOverride(String),
    MissingClientCert,
    BadPortRange(String),
    Bind(String),
}

impl std::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotStartedByTerraform => f.write_str(NOT_A_COMMAND),
            Self::NoCommonProtocol(offered) => write!(
                f,
                "This provider speaks Terraform plugin protocol {}, but the host offered only \
                 protocol version(s) {offered}. Use Terraform 0.12 or newer, or OpenTofu.",
                ProtocolVersion::SUPPORTED
                    .iter()
                    .map(|v| v.number().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::BadOverride(msg) => write!(f, "invalid {PROTOCOL_OVERRIDE_KEY}: {msg}"),
            Self::MissingClientCert => f.write_str(
                "PLUGIN_CLIENT_CERT is not set, so the plugin cannot authenticate Terraform (AutoMTLS). \
                 Terraform sets it when it starts the provider; set TF_DISABLE_PLUGIN_TLS=1 only to debug \
                 without TLS.",
            ),
            Self::BadPortRange(msg) => write!(f, "invalid PLUGIN_MIN_PORT/PLUGIN_MAX_PORT: {msg}"),
            Self::Bind(msg) => write!(f, "cannot listen on 127.0.0.1: {msg}"),
        }
    }
}

/// Reads and checks the environment Terraform starts plugins with.
pub(crate) fn read_env(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<HandshakeEnv, HandshakeError> {
    if env(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(HandshakeError::NotStartedByTerraform);
    }
    let protocol = negotiate(
        env("PLUGIN_PROTOCOL_VERSIONS").as_deref(),
        env(PROTOCOL_OVERRIDE_KEY).as_deref(),
    )?;
    let tls_disabled = env("TF_DISABLE_PLUGIN_TLS").is_some_and(|v| !v.is_empty());
    let client_cert_pem = if tls_disabled {
        None
    } else {
        match env("PLUGIN_CLIENT_CERT") {
            Some(pem) if !pem.trim().is_empty() => Some(pem),
            _ => return Err(HandshakeError::MissingClientCert),
        }
    };
    let port_range = port_range(
        env("PLUGIN_MIN_PORT").as_deref(),
        env("PLUGIN_MAX_PORT").as_deref(),
    )?;
    Ok(HandshakeEnv {
        protocol,
        client_cert_pem,
        port_range,
    })
}

/// Picks the newest protocol both sides speak (6 when 5 and 6 are offered).
/// Without an offer (an old host, or a manual start) go-plugin falls back to
/// the plugin's default, which is protocol 6. `override_version` (from
/// [`PROTOCOL_OVERRIDE_KEY`]) picks a version instead, if it is offered.
fn negotiate(
    offered: Option<&str>,
    override_version: Option<&str>,
) -> Result<ProtocolVersion, HandshakeError> {
    let offered = offered.filter(|s| !s.trim().is_empty());
    let numbers: Option<Vec<u32>> =
        offered.map(|o| o.split(',').filter_map(|s| s.trim().parse().ok()).collect());
    let is_offered = |v: &ProtocolVersion| {
        numbers
            .as_ref()
            .is_none_or(|numbers| numbers.contains(&v.number()))
    };
    if let Some(wanted) = override_version.map(str::trim).filter(|s| !s.is_empty()) {
        let version = ProtocolVersion::SUPPORTED
            .iter()
            .find(|v| v.number().to_string() == wanted)
            .ok_or_else(|| {
                HandshakeError::BadOverride(format!(
                    "{wanted:?} is not a protocol version this plugin speaks (5 or 6)"
                ))
            })?;
        if !is_offered(version) {
            return Err(HandshakeError::BadOverride(format!(
                "protocol {wanted} was asked for, but the host offered only {}",
                offered.unwrap_or_default()
            )));
        }
        return Ok(*version);
    }
    let Some(offered) = offered else {
        return Ok(ProtocolVersion::V6);
    };
    ProtocolVersion::SUPPORTED
        .iter()
        .filter(|v| is_offered(v))
        .max_by_key(|v| v.number())
        .copied()
        .ok_or_else(|| HandshakeError::NoCommonProtocol(offered.to_owned()))
}

fn port_range(min: Option<&str>, max: Option<&str>) -> Result<Option<(u16, u16)>, HandshakeError> {
    let parse = |name: &str, v: Option<&str>| -> Result<u16, HandshakeError> {
        match v.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(0),
            Some(s) => s.parse::<u16>().map_err(|_| {
                HandshakeError::BadPortRange(format!("{name}={s:?} is not a port number"))
            }),
        }
    };
    let (lo, hi) = (
        parse("PLUGIN_MIN_PORT", min)?,
        parse("PLUGIN_MAX_PORT", max)?,
    );
    if lo == 0 && hi == 0 {
        return Ok(None);
    }
    let (lo, hi) = (lo.max(1), if hi == 0 { u16::MAX } else { hi });
    if lo > hi {
        return Err(HandshakeError::BadPortRange(format!(
            "minimum {lo} is above maximum {hi}"
        )));
    }
    Ok(Some((lo, hi)))
}

/// Binds 127.0.0.1, on the first free port of the range when there is one.
pub(crate) fn bind(range: Option<(u16, u16)>) -> Result<TcpListener, HandshakeError> {
    let Some((lo, hi)) = range else {
        return TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| HandshakeError::Bind(e.to_string()));
    };
    let mut last = None;
    for port in lo..=hi {
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(HandshakeError::Bind(format!(
        "no free port in {lo}..={hi}{}",
        last.map(|e| format!(" (last error: {e})"))
            .unwrap_or_default()
    )))
}

/// The handshake line: `1|6|tcp|127.0.0.1:PORT|grpc|CERT`, CERT being the
/// server certificate's DER in standard base64 without padding (empty
/// without TLS).
pub(crate) fn line(
    protocol: ProtocolVersion,
    addr: SocketAddr,
    server_cert_der: Option<&[u8]>,
) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{}|tcp|{addr}|grpc|{cert}\n",
        protocol.number()
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn cookie_is_required() {
        let e = read_env(&env_of(&[])).unwrap_err();
        assert!(matches!(e, HandshakeError::NotStartedByTerraform));
        assert!(e.to_string().contains("not meant to be run directly"));
        let e = read_env(&env_of(&[(MAGIC_COOKIE_KEY, "wrong")])).unwrap_err();
        assert!(matches!(e, HandshakeError::NotStartedByTerraform));
    }

    #[test]
    fn protocol_negotiation() {
        use ProtocolVersion::{V5, V6};
        assert_eq!(negotiate(Some("5,6"), None).unwrap(), V6);
        assert_eq!(negotiate(Some("6, 5"), None).unwrap(), V6);
        assert_eq!(negotiate(None, None).unwrap(), V6);
        assert_eq!(negotiate(Some(""), None).unwrap(), V6);
        assert_eq!(negotiate(Some("5"), None).unwrap(), V5);
        assert_eq!(negotiate(Some("4,5"), None).unwrap(), V5);
        assert_eq!(negotiate(Some("6,7"), None).unwrap(), V6);
        let e = negotiate(Some("3,4"), None).unwrap_err();
        assert!(e.to_string().contains("protocol 5, 6"), "{e}");
        assert!(e.to_string().contains("3,4"), "{e}");
        let e = negotiate(Some("x"), None).unwrap_err();
        assert!(matches!(e, HandshakeError::NoCommonProtocol(_)), "{e}");
    }

    #[test]
    fn protocol_override() {
        use ProtocolVersion::{V5, V6};
        assert_eq!(negotiate(Some("5,6"), Some("5")).unwrap(), V5);
        assert_eq!(negotiate(Some("5,6"), Some(" 6 ")).unwrap(), V6);
        assert_eq!(negotiate(None, Some("5")).unwrap(), V5);
        assert_eq!(negotiate(Some("5,6"), Some("")).unwrap(), V6);
        let e = negotiate(Some("6"), Some("5")).unwrap_err();
        assert!(e.to_string().contains(PROTOCOL_OVERRIDE_KEY), "{e}");
        assert!(e.to_string().contains("offered only 6"), "{e}");
        let e = negotiate(Some("5,6"), Some("4")).unwrap_err();
        assert!(matches!(e, HandshakeError::BadOverride(_)), "{e}");
    }

    #[test]
    fn tls_needs_client_cert_unless_disabled() {
        let base = [
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
        ];
        let e = read_env(&env_of(&base)).unwrap_err();
        assert!(matches!(e, HandshakeError::MissingClientCert));
        let mut with_disable = base.to_vec();
        with_disable.push(("TF_DISABLE_PLUGIN_TLS", "1"));
        assert!(
            read_env(&env_of(&with_disable))
                .unwrap()
                .client_cert_pem
                .is_none()
        );
        let mut with_cert = base.to_vec();
        with_cert.push(("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----"));
        assert!(
            read_env(&env_of(&with_cert))
                .unwrap()
                .client_cert_pem
                .is_some()
        );
    }

    #[test]
    fn port_ranges() {
        assert_eq!(port_range(None, None).unwrap(), None);
        assert_eq!(
            port_range(Some("10000"), Some("25000")).unwrap(),
            Some((10000, 25000))
        );
        assert_eq!(
            port_range(Some("10000"), None).unwrap(),
            Some((10000, u16::MAX))
        );
        assert!(port_range(Some("x"), None).is_err());
        assert!(port_range(Some("20"), Some("10")).is_err());
        let l = bind(Some((20000, 20100))).unwrap();
        let port = l.local_addr().unwrap().port();
        assert!((20000..=20100).contains(&port));
        assert!(l.local_addr().unwrap().ip().is_loopback());
    }

    #[test]
    fn line_format() {
        let addr: SocketAddr = "127.0.0.1:1234".parse().unwrap();
        assert_eq!(
            line(ProtocolVersion::V6, addr, None),
            "1|6|tcp|127.0.0.1:1234|grpc|\n"
        );
        // 4 bytes -> 6 base64 chars without "==" padding.
        assert_eq!(
            line(ProtocolVersion::V6, addr, Some(&[1, 2, 3, 4])),
            "1|6|tcp|127.0.0.1:1234|grpc|AQIDBA\n"
        );
        assert_eq!(
            line(ProtocolVersion::V5, addr, None),
            "1|5|tcp|127.0.0.1:1234|grpc|\n"
        );
    }
}
