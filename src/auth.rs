//! Bearer-token authentication for the Tagger service (health and reflection stay open).

use tonic::{Request, Status};

/// The accepted tokens; several may be valid at once so that they can be rotated.
#[derive(Clone, Default)]
pub struct Tokens(Vec<Vec<u8>>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.0.len())
    }
}

impl Tokens {
    /// Tokens from a file (one per line, `#` comments) and/or a comma-separated list.
    pub fn parse(file_content: Option<&str>, list: Option<&str>) -> Self {
        let from_file = file_content
            .into_iter()
            .flat_map(str::lines)
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let from_list = list
            .into_iter()
            .flat_map(|l| l.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        Self(
            from_file
                .chain(from_list)
                .map(|t| t.as_bytes().to_vec())
                .collect(),
        )
    }

    /// Whether authentication is on.
    pub fn is_enabled(&self) -> bool {
        !self.0.is_empty()
    }

    /// Checks `authorization: Bearer <token>` against every configured token in constant time.
    pub fn check<T>(&self, request: Request<T>) -> Result<Request<T>, Status> {
        if self.0.is_empty() {
            return Ok(request);
        }
        let presented = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                Status::unauthenticated("missing authorization: Bearer <token> header")
            })?;
        // Compare with every token, never stopping early, so timing tells nothing.
        let accepted = self.0.iter().fold(false, |ok, token| {
            ok | constant_time_eq(token, presented.as_bytes())
        });
        if accepted {
            Ok(request)
        } else {
            Err(Status::unauthenticated("invalid token"))
        }
    }
}

/// Equality whose time depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_header(value: &str) -> Request<()> {
        let mut r = Request::new(());
        r.metadata_mut()
            .insert("authorization", value.parse().unwrap());
        r
    }

    #[test]
    fn accepts_any_configured_token_and_rejects_others() {
        let tokens = Tokens::parse(Some("# rotation\nold-token\n"), Some("new-token, "));
        assert!(tokens.is_enabled());
        assert!(tokens.check(with_header("Bearer old-token")).is_ok());
        assert!(tokens.check(with_header("Bearer new-token")).is_ok());
        for bad in [
            "Bearer wrong",
            "old-token",
            "Bearer old-token2",
            "Basic old-token",
        ] {
            let e = tokens.check(with_header(bad)).unwrap_err();
            assert_eq!(e.code(), tonic::Code::Unauthenticated, "{bad}");
        }
        assert_eq!(
            tokens.check(Request::new(())).unwrap_err().code(),
            tonic::Code::Unauthenticated
        );
        assert!(Tokens::default().check(Request::new(())).is_ok());
    }
}
