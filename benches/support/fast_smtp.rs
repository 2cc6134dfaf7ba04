//! A minimal SMTP sink on 127.0.0.1 for throughput benchmarks: plain SMTP as lettre speaks it
//! (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no PIPELINING, no TLS, no AUTH), every command
//! answered at once, each DATA message counted and thrown away.
//!
//! It acknowledges every segment at once (TCP_QUICKACK after each read). lettre does not set
//! TCP_NODELAY, and it writes a message's end (`.`) as its own small segment, which Nagle holds
//! until the body's segment is acknowledged; a server that delays its ACK (Linux: 40 ms, as the
//! mailin-embedded sink of the tests does) thus costs 40 ms per message per connection: 16
//! connections ÷ 44 ms ≈ 360 messages a second, whatever else happens.

use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader, ReadBuf};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};

const EHLO: &[u8] = b"250-sink.backtrack.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n";

pub struct FastSmtpSink {
    pub port: u16,
    received: Arc<AtomicUsize>,
}

impl FastSmtpSink {
    /// Listens on a free port of 127.0.0.1, serving each connection on its own task.
    pub async fn start() -> Self {
        Self::start_with(true).await
    }

    /// With `quick_ack` false the kernel delays ACKs as it usually does (to show what that costs).
    pub async fn start_with(quick_ack: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(AtomicUsize::new(0));
        let counter = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let _ = socket.set_nodelay(true);
                tokio::spawn(session(socket, counter.clone(), quick_ack));
            }
        });
        Self { port, received }
    }

    /// Messages accepted so far (counted before their `250` goes out).
    pub fn count(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

/// The read half, switching the socket to quick-ACK mode after every read (the kernel leaves
/// that mode again by itself) when `.1` is true.
struct QuickAck(OwnedReadHalf, bool);

impl AsyncRead for QuickAck {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let polled = Pin::new(&mut self.0).poll_read(cx, buf);
        if polled.is_ready() && self.1 {
            let fd = self.0.as_ref().as_raw_fd();
            let on: libc::c_int = 1;
            // SAFETY: a valid socket descriptor and an int option of the right size.
            unsafe {
                libc::setsockopt(
                    fd,
                    libc::IPPROTO_TCP,
                    libc::TCP_QUICKACK,
                    (&on as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                );
            }
        }
        polled
    }
}

async fn session(socket: TcpStream, received: Arc<AtomicUsize>, quick_ack: bool) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(QuickAck(read, quick_ack));
    let mut line = Vec::with_capacity(1024);
    write.write_all(b"220 sink.backtrack.test ESMTP\r\n").await?;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).map(|v| v.to_ascii_uppercase()).unwrap_or_default();
        let reply: &[u8] = match verb.as_slice() {
            b"EHLO" => EHLO,
            b"HELO" | b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => b"250 OK\r\n",
            b"DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                loop {
                    line.clear();
                    if reader.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                }
                received.fetch_add(1, Ordering::SeqCst);
                b"250 OK queued\r\n"
            }
            b"QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}
