//! A real browser (Debian's `chromium`, driven through `chromium-driver` over WebDriver) against a
//! real `backtrack serve` with its real outbox: the printed first-admin link, every emailed link
//! opened from its `.eml` file, and the staff's screens, as a clinic uses them. Each main screen is
//! saved as a screenshot under `target/console-screens/` for review.
//!
//! With no browser installed the journeys are skipped with one line saying how to install one;
//! with `BACKTRACK_BROWSER_TESTS=required` (set by `.ci/run`) a missing browser fails them.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

const DRIVERS: [&str; 2] = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];
const BROWSERS: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

fn found(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

static SKIPPED: Once = Once::new();

/// A headless Chromium session, its driver stopped when it goes.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A new browser, or `None` (said once) when none is installed and none is required.
    pub async fn start() -> Option<Browser> {
        let (Some(driver), Some(binary)) = (found(&DRIVERS), found(&BROWSERS)) else {
            if std::env::var("BACKTRACK_BROWSER_TESTS").as_deref() == Ok("required") {
                panic!("BACKTRACK_BROWSER_TESTS=required, but chromium or chromium-driver is not installed");
            }
            SKIPPED.call_once(|| {
                eprintln!(
                    "browser tests skipped: no chromium here (install with: apt-get install chromium chromium-driver)"
                )
            });
            return None;
        };
        // The WebDriver client's TLS stack needs one crypto provider chosen (it speaks plain HTTP
        // to the local driver, but builds its TLS configuration anyway).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Its own process group, so that the browsers it starts go with it (see `Drop`).
        let driver = Command::new(driver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,800", format!("--user-data-dir={}", profile.path().display())],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::rustls().unwrap().capabilities(caps.clone()).connect(&url).await {
                Ok(client) => return Some(Browser { client, driver, _profile: profile }),
                Err(err) => last = Some(err),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not take a session: {last:?}");
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("the page opens");
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Sets a date or time input (their typed form depends on the browser's locale).
    pub async fn set(&self, css: &str, value: &str) {
        let script = "const f = document.querySelector(arguments[0]); f.value = arguments[1]; return f.value;";
        let set = self.client.execute(script, vec![css.into(), value.into()]).await.unwrap();
        assert_eq!(set.as_str(), Some(value), "{css}");
    }

    pub async fn choose(&self, css: &str, value: &str) {
        self.client.find(Locator::Css(css)).await.unwrap().select_by_value(value).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
    }

    /// Presses each key in `keys` (a character, or a [`Key`] as its char) on whatever has the
    /// focus, as a person at the keyboard does.
    pub async fn press(&self, keys: &str) {
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys.chars() {
            actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(actions).await.unwrap();
    }

    pub async fn press_key(&self, key: Key) {
        self.press(&char::from(key).to_string()).await;
    }

    /// Presses Tab until the focus is on `css` (at most 100 times): the control is reachable by
    /// keyboard, in the page's order.
    pub async fn tab_to(&self, css: &str) {
        let script = "return document.activeElement !== null && document.activeElement.matches(arguments[0]);";
        for _ in 0..100 {
            if self.client.execute(script, vec![css.into()]).await.unwrap().as_bool() == Some(true) {
                return;
            }
            self.press_key(Key::Tab).await;
        }
        panic!("Tab never reached {css} on {}", self.path().await);
    }

    /// The value of the form control `css`.
    pub async fn value(&self, css: &str) -> String {
        let script = "return document.querySelector(arguments[0]).value;";
        self.client.execute(script, vec![css.into()]).await.unwrap().as_str().unwrap_or_default().to_string()
    }

    /// Sets the window's size (the tablet's 768 pixels, the desk's 1280).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// How far the page is wider than the window (0: nothing to scroll sideways to).
    pub async fn overflow(&self) -> i64 {
        let script = "return document.documentElement.scrollWidth - document.documentElement.clientWidth;";
        self.client.execute(script, vec![]).await.unwrap().as_i64().unwrap()
    }

    pub async fn page(&self) -> String {
        self.client.source().await.unwrap()
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Asserts the page says `text` (waiting up to 10 s for a submitted form's answer), and
    /// returns it.
    pub async fn sees(&self, text: &str) -> String {
        let mut page = String::new();
        for _ in 0..100 {
            page = self.page().await;
            if page.contains(text) {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {text:?} on {}:\n{page}", self.path().await);
    }

    /// Saves the window as `target/console-screens/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/console-screens");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// The driver and every browser it started end with the test, passed or failed.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.wait();
    }
}

/// The first link to `path` in the newest email to `to` in `outbox` (its `.eml` files), waiting
/// for the in-process worker to write it.
pub async fn link_in_outbox(outbox: &Path, to: &str, path: &str) -> String {
    for _ in 0..200 {
        let mut found: Vec<(std::time::SystemTime, String)> = Vec::new();
        for entry in std::fs::read_dir(outbox).into_iter().flatten().flatten() {
            let raw = std::fs::read(entry.path()).unwrap_or_default();
            let Some(message) = mail_parser::MessageParser::default().parse(&raw) else { continue };
            let addressed = message.to().and_then(|t| t.first()).and_then(|a| a.address()).is_some_and(|a| a == to);
            let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
            if let (true, Some(at)) = (addressed, text.find(path)) {
                let start = text[..at].rfind("http").unwrap_or(at);
                let link = text[start..].split_whitespace().next().unwrap().to_string();
                found.push((entry.metadata().unwrap().modified().unwrap(), link));
            }
        }
        found.sort();
        if let Some((_, link)) = found.pop() {
            return link;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no email to {to} with a {path} link in {}", outbox.display());
}

/// Opens every link to `base` in every email in `outbox` as someone who is not signed in would:
/// each answers with a page (HTML after any redirects; 200, or 400 for a one-time link already
/// used), never a JSON error, a 404 or a 5xx. Returns the first path segment of each link seen.
pub async fn every_link_opens(outbox: &Path, base: &str) -> std::collections::BTreeSet<String> {
    let client = reqwest::Client::new();
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(outbox).unwrap().flatten() {
        let raw = std::fs::read(entry.path()).unwrap();
        let message = mail_parser::MessageParser::default().parse(&raw).expect("an email");
        let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
        for (at, _) in text.match_indices(base) {
            let link: String =
                text[at..].chars().take_while(|c| !c.is_whitespace() && !"<>\"()".contains(*c)).collect();
            let link = link.trim_end_matches(['.', ',']);
            let response = client.get(link).send().await.unwrap();
            let status = response.status().as_u16();
            let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
            let subject = message.subject().unwrap_or_default().to_string();
            assert!(status == 200 || status == 400, "{link} (in “{subject}”) answered {status}");
            assert!(kind.as_deref().is_some_and(|k| k.starts_with("text/html")), "{link} answered {kind:?}");
            let path = link.trim_start_matches(base);
            seen.insert(path.trim_start_matches('/').split(['/', '?']).next().unwrap_or_default().to_string());
        }
    }
    seen
}
