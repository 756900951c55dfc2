//! A development origin for `cargo xtask dev`: it listens on 127.0.0.1, verifies each
//! delivery the worker sends (Standard Webhooks over the raw bytes, with the core) and prints
//! one line per delivery, so that a local run shows the whole path of an event.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{SystemTime, UNIX_EPOCH};

use hookguard::{Scheme, Verifier};

use crate::Result;

/// Listens on `127.0.0.1:{port}` in a background thread.
pub fn start(port: u16, secret: &str) -> Result {
    let verifier = Verifier::new(Scheme::STANDARD, &[secret]).map_err(|e| format!("FORWARD_SECRET: {e}"))?;
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(core::result::Result::ok) {
            if let Err(error) = serve(stream, &verifier) {
                eprintln!("origin: {error}");
            }
        }
    });
    Ok(())
}

fn serve(mut stream: TcpStream, verifier: &Verifier) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut line = String::new();
    reader.read_line(&mut line)?;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let length = header("content-length").and_then(|n| n.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (status, verdict) = match verifier.verify(pairs.as_slice(), &body, now) {
        Ok(_) => ("200 OK", "verified".to_string()),
        Err(error) => ("401 Unauthorized", format!("refused: {}", error.code())),
    };
    println!(
        "origin: {verdict} delivery {} ({} from {}, {} bytes)",
        header("webhook-id").unwrap_or("?"),
        header("x-hookguard-event-type").unwrap_or("no type"),
        header("x-hookguard-scheme").unwrap_or("?"),
        body.len()
    );
    write!(stream, "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
}
