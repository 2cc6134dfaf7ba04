//! A real SMTP server on 127.0.0.1 (mailin-embedded) that keeps what it receives, for the
//! delivery tests and the email benchmark. It can refuse for a while (451), reject recipients
//! (550), and answer slowly, to put the worker through what real servers do.

#![allow(dead_code)]

use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::response::{INTERNAL_ERROR, NO_MAILBOX, OK};
use mailin_embedded::{Handler, Response, Server};

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn message_id(&self) -> Option<String> {
        mail_parser::MessageParser::default().parse(&self.raw)?.message_id().map(|id| format!("<{id}>"))
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    refusing: AtomicBool,
    refusals: AtomicU64,
    /// Refuse every n-th MAIL command (0: none).
    refuse_every: AtomicU64,
    mails: AtomicU64,
    rejected: Mutex<HashSet<String>>,
    delay_ms: AtomicU64,
}

#[derive(Clone)]
struct SinkHandler {
    shared: Arc<Shared>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for SinkHandler {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        let seq = self.shared.mails.fetch_add(1, Ordering::SeqCst) + 1;
        let every = self.shared.refuse_every.load(Ordering::SeqCst);
        if self.shared.refusing.load(Ordering::SeqCst) || (every > 0 && seq.is_multiple_of(every)) {
            self.shared.refusals.fetch_add(1, Ordering::SeqCst);
            return INTERNAL_ERROR; // 451: try again later
        }
        OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if self.shared.rejected.lock().unwrap().contains(&to.to_lowercase()) {
            return NO_MAILBOX; // 550: permanent
        }
        OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let delay = self.shared.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(Duration::from_millis(delay));
        }
        let message = Received { to: std::mem::take(&mut self.to), raw: std::mem::take(&mut self.data) };
        self.shared.received.lock().unwrap().push(message);
        OK
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    shared: Arc<Shared>,
}

impl SmtpSink {
    /// Starts on a free port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        Self::start_on(listener)
    }

    /// Starts on `port` (one a test reserved earlier and left unlistened for a while).
    pub fn start_at(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP sink on its port");
        Self::start_on(listener)
    }

    fn start_on(listener: TcpListener) -> Self {
        // Accepted connections inherit this on Linux: replies go out at once instead of waiting
        // on delayed ACKs, so the sink is not what limits a benchmark.
        let _ = socket2::SockRef::from(&listener).set_tcp_nodelay(true);
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let handler = SinkHandler { shared: shared.clone(), to: Vec::new(), data: Vec::new() };
        let mut server = Server::new(handler);
        server.with_name("sink.backtrack.test").with_num_threads(64).with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, shared }
    }

    /// A port nothing listens on (yet).
    pub fn unused_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    pub fn refuse(&self, refusing: bool) {
        self.shared.refusing.store(refusing, Ordering::SeqCst);
    }

    /// Refuses every `n`-th transaction with 451 from now on, as a busy server does to a share.
    pub fn refuse_every(&self, n: u64) {
        self.shared.refuse_every.store(n, Ordering::SeqCst);
    }

    pub fn refusals(&self) -> u64 {
        self.shared.refusals.load(Ordering::SeqCst)
    }

    pub fn reject_recipient(&self, address: &str) {
        self.shared.rejected.lock().unwrap().insert(address.to_lowercase());
    }

    pub fn answer_slowly(&self, delay: Duration) {
        self.shared.delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.shared.received.lock().unwrap().len()
    }
}
