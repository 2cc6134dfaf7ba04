//! A form may only be posted from the console's own pages: a browser names the page's origin in
//! `Origin` (or at least `Referer`), and one that names another site, or `null`, is refused. A
//! client that sends neither is not a browser another site could drive.

use actix_web::http::header;
use actix_web::HttpRequest;

/// `scheme://host[:port]` of a URL, lower-cased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
}

/// Whether this POST comes from a page of this server: the origin it names is the host the
/// request was sent to, or the configured public URL's.
pub fn same_site(req: &HttpRequest, public_url: &str) -> bool {
    let named = match req.headers().get(header::ORIGIN) {
        Some(origin) => match origin.to_str() {
            Ok(origin) if origin != "null" => origin_of(origin),
            _ => return false,
        },
        None => match req.headers().get(header::REFERER).map(|r| r.to_str().ok().and_then(origin_of)) {
            Some(referer) => referer,
            None => return true,
        },
    };
    let Some(named) = named else { return false };
    let host = req.connection_info().host().to_ascii_lowercase();
    let host_of_named = named.split_once("://").map(|(_, authority)| authority.to_string());
    host_of_named.as_deref() == Some(host.as_str()) || origin_of(public_url).as_deref() == Some(named.as_str())
}

/// Whether the form's token is the session's, compared in constant time.
pub fn same_secret(sent: &str, expected: &str) -> bool {
    let (a, b) = (sent.as_bytes(), expected.as_bytes());
    a.len() == b.len() && !expected.is_empty() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn only_the_servers_own_pages_may_post() {
        let public = "https://app.clinic.example/";
        let req = |headers: &[(&str, &str)]| {
            let mut r = TestRequest::post().insert_header(("host", "127.0.0.1:8080"));
            for (name, value) in headers {
                r = r.insert_header((*name, *value));
            }
            r.to_http_request()
        };
        assert!(same_site(&req(&[("origin", "http://127.0.0.1:8080")]), public));
        assert!(same_site(&req(&[("origin", "https://app.clinic.example")]), public));
        assert!(same_site(&req(&[("referer", "https://APP.clinic.example/reset-password?token=x")]), public));
        assert!(same_site(&req(&[]), public), "not a browser");
        assert!(!same_site(&req(&[("origin", "https://evil.example")]), public));
        assert!(!same_site(&req(&[("origin", "null")]), public));
        assert!(!same_site(&req(&[("referer", "https://evil.example/page")]), public));
        assert!(!same_site(&req(&[("origin", "http://127.0.0.1:8081")]), public));
    }

    #[test]
    fn a_form_token_matches_only_itself() {
        assert!(same_secret("abc123", "abc123"));
        assert!(!same_secret("abc124", "abc123"));
        assert!(!same_secret("abc12", "abc123"));
        assert!(!same_secret("", ""));
    }
}
