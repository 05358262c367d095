//! Webhook signatures, checked over the raw body bytes exactly as received (C43): GHL's
//! `x-wh-signature` (RSA-SHA256 PKCS#1 v1.5, base64) with the public key GHL publishes, shipped
//! in `assets/ghl-webhook-public.pem`, and `x-ghl-signature` (Ed25519, base64) with the key
//! from the config. Re-serialising the JSON would change escapes such as `\u00e9` and `\/`, so
//! the bytes are never parsed before they are verified.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::pkcs8::DecodePublicKey as _;
use http::HeaderMap;
use rsa::pkcs1v15;
use rsa::sha2::Sha256;
use rsa::signature::Verifier as _;

/// GHL's public key for `x-wh-signature`, from its Webhook Authentication guide.
pub const GHL_WEBHOOK_PUBLIC_KEY: &str = include_str!("../../../assets/ghl-webhook-public.pem");

/// The RSA signature header.
pub const RSA_HEADER: &str = "x-wh-signature";

/// The Ed25519 signature header.
pub const ED25519_HEADER: &str = "x-ghl-signature";

/// Why a delivery's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Neither header is there (or only one whose key is not configured).
    #[error("no signature header (x-wh-signature or x-ghl-signature)")]
    Missing,
    /// The header is not base64 or not a signature.
    #[error("the {0} header is malformed")]
    Malformed(&'static str),
    /// The signature does not match the body.
    #[error("the {0} signature does not match the body")]
    Invalid(&'static str),
    /// A configured key cannot be read.
    #[error("the webhook key cannot be read: {0}")]
    BadKey(String),
}

/// Reads an Ed25519 public key in any of the forms it is handed out in: 32 raw bytes in base64,
/// a DER `SubjectPublicKeyInfo` in base64 (`MCowBQYDK2VwAyEA...`, as `config.example.toml`
/// shows), or a PEM `PUBLIC KEY` block.
pub fn parse_ed25519(key: &str) -> Result<ed25519_dalek::VerifyingKey, SignatureError> {
    let bad = |why: String| SignatureError::BadKey(format!("Ed25519 key: {why}"));
    let key = key.trim();
    if key.starts_with("-----BEGIN") {
        return ed25519_dalek::VerifyingKey::from_public_key_pem(key)
            .map_err(|e| bad(e.to_string()));
    }
    let compact: String = key.split_whitespace().collect();
    let bytes = STANDARD
        .decode(compact)
        .map_err(|e| bad(format!("not base64: {e}")))?;
    if let Ok(raw) = <[u8; 32]>::try_from(bytes.as_slice()) {
        return ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|e| bad(e.to_string()));
    }
    ed25519_dalek::VerifyingKey::from_public_key_der(&bytes).map_err(|e| {
        bad(format!(
            "{} bytes are neither a raw 32-byte key nor a DER SubjectPublicKeyInfo ({e})",
            bytes.len()
        ))
    })
}

/// Reads an RSA public key in PEM (SPKI `PUBLIC KEY`, or PKCS#1 `RSA PUBLIC KEY`).
pub fn parse_rsa_pem(pem: &str) -> Result<rsa::RsaPublicKey, SignatureError> {
    use rsa::pkcs1::DecodeRsaPublicKey as _;
    let pem = pem.trim();
    rsa::RsaPublicKey::from_public_key_pem(pem)
        .or_else(|e| rsa::RsaPublicKey::from_pkcs1_pem(pem).map_err(|_| e))
        .map_err(|e| SignatureError::BadKey(format!("RSA key: {e}")))
}

/// Which signature was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `x-wh-signature`, RSA-SHA256.
    Rsa,
    /// `x-ghl-signature`, Ed25519.
    Ed25519,
}

/// The keys deliveries are checked against.
#[derive(Debug, Clone)]
pub struct Verifier {
    rsa: pkcs1v15::VerifyingKey<Sha256>,
    ed25519: Option<ed25519_dalek::VerifyingKey>,
}

impl Verifier {
    /// GHL's published RSA key, and no Ed25519 key.
    pub fn ghl() -> Result<Self, SignatureError> {
        Self::with_rsa_pem(GHL_WEBHOOK_PUBLIC_KEY)
    }

    /// An RSA public key in PEM (SPKI), and no Ed25519 key. Tests pass their own key here.
    pub fn with_rsa_pem(pem: &str) -> Result<Self, SignatureError> {
        let key = parse_rsa_pem(pem)?;
        Ok(Self {
            rsa: pkcs1v15::VerifyingKey::new(key),
            ed25519: None,
        })
    }

    /// The same verifier, also accepting `x-ghl-signature` with this Ed25519 public key.
    pub fn with_ed25519(mut self, key: &str) -> Result<Self, SignatureError> {
        self.ed25519 = Some(parse_ed25519(key)?);
        Ok(self)
    }

    /// Checks the signature headers against the raw body. `x-ghl-signature` is used when an
    /// Ed25519 key is configured; otherwise `x-wh-signature`.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Scheme, SignatureError> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        if let (Some(key), Some(signature)) = (&self.ed25519, header(ED25519_HEADER)) {
            let bytes = decode(signature, ED25519_HEADER)?;
            let signature = ed25519_dalek::Signature::from_slice(&bytes)
                .map_err(|_| SignatureError::Malformed(ED25519_HEADER))?;
            key.verify_strict(body, &signature)
                .map_err(|_| SignatureError::Invalid(ED25519_HEADER))?;
            return Ok(Scheme::Ed25519);
        }
        let Some(signature) = header(RSA_HEADER) else {
            return Err(SignatureError::Missing);
        };
        let bytes = decode(signature, RSA_HEADER)?;
        let signature = pkcs1v15::Signature::try_from(bytes.as_slice())
            .map_err(|_| SignatureError::Malformed(RSA_HEADER))?;
        self.rsa
            .verify(body, &signature)
            .map_err(|_| SignatureError::Invalid(RSA_HEADER))?;
        Ok(Scheme::Rsa)
    }
}

fn decode(text: &str, header: &'static str) -> Result<Vec<u8>, SignatureError> {
    STANDARD
        .decode(text)
        .map_err(|_| SignatureError::Malformed(header))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_keys_read_raw_spki_and_pem() {
        use ed25519_dalek::Signer as _;
        let signing = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let raw = signing.verifying_key().to_bytes();
        let mut der = hex_der_prefix();
        der.extend_from_slice(&raw);
        let spki = STANDARD.encode(&der);
        assert!(spki.starts_with("MCowBQYDK2VwAyEA"), "{spki}");
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{spki}\n-----END PUBLIC KEY-----\n");
        let body = br#"{"type":"ContactCreate"}"#;
        let mut headers = HeaderMap::new();
        let signature = STANDARD.encode(signing.sign(body).to_bytes());
        headers.insert(ED25519_HEADER, signature.parse().unwrap());
        for key in [STANDARD.encode(raw), spki.clone(), pem] {
            let verifier = Verifier::ghl().unwrap().with_ed25519(&key).unwrap();
            assert_eq!(
                verifier.verify(&headers, body).unwrap(),
                Scheme::Ed25519,
                "{key}"
            );
        }
        let err = parse_ed25519(&STANDARD.encode([1u8; 20])).unwrap_err();
        assert!(err.to_string().contains("20 bytes"), "{err}");
        assert!(parse_ed25519("not base64!").is_err());
    }

    /// The DER header of an Ed25519 `SubjectPublicKeyInfo` (RFC 8410), before the 32 key bytes.
    fn hex_der_prefix() -> Vec<u8> {
        vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ]
    }

    #[test]
    fn the_shipped_ghl_key_reads() {
        assert!(Verifier::ghl().is_ok());
    }

    #[test]
    fn ed25519_signatures_are_checked_over_the_raw_bytes() {
        use ed25519_dalek::Signer as _;
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let public = STANDARD.encode(signing.verifying_key().to_bytes());
        let verifier = Verifier::ghl().unwrap().with_ed25519(&public).unwrap();
        let body = br#"{"name":"Jos\u00e9","url":"a\/b"}"#;
        let mut headers = HeaderMap::new();
        let signature = STANDARD.encode(signing.sign(body).to_bytes());
        headers.insert(ED25519_HEADER, signature.parse().unwrap());
        assert_eq!(verifier.verify(&headers, body), Ok(Scheme::Ed25519));
        let reencoded = br#"{"name":"Jos\u00e9","url":"a/b"}"#;
        assert_eq!(
            verifier.verify(&headers, reencoded),
            Err(SignatureError::Invalid(ED25519_HEADER))
        );
        assert_eq!(
            verifier.verify(&HeaderMap::new(), body),
            Err(SignatureError::Missing)
        );
    }
}
