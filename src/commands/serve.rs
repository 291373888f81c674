//! `cargo run -- serve`: the book on `127.0.0.1`, rebuilt when a chapter, a
//! crate or `book.toml` changes, with the open pages reloading themselves.
//!
//! One builder thread rebuilds at a time. A change waits [`QUIET`] for the
//! editor to finish saving; changes that arrive during a build are
//! collected and make exactly one more build. Every build is the ordinary
//! one (the cache runs only the snippets whose keys changed), except that a
//! problem is shown in the page at its snippet instead of stopping the
//! build. Pages poll `/__nnblocks/version` and reload when it moves.
//!
//! The watcher is `notify`, the one mdBook's own `serve` uses. The server is
//! std's `TcpListener` with `httparse` (hyper's request parser) reading each
//! request: every connection gets one answer and is closed, on a thread of
//! its own, at most [`MAX_CONNECTIONS`] at a time. (`tiny_http` 0.12 was
//! tried first: its pool queues a new connection behind an idle keep-alive
//! one, and Chromium's stylesheets then waited forever.)

use crate::pages::config::Nnblocks;
use anyhow::{Context, Result, anyhow};
use notify::{EventKind, RecursiveMode, Watcher};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Connections answered at once; more wait in the listener's backlog.
const MAX_CONNECTIONS: usize = 64;
/// The longest request head read, in bytes.
const MAX_HEAD: usize = 64 * 1024;

/// How long the sources must be still before a rebuild starts.
const QUIET: Duration = Duration::from_millis(250);

/// The script every served page gets: reload when the book was rebuilt.
const RELOAD_JS: &str = r#"// nnblocks serve: reload this page when the book is rebuilt.
(function () {
  let seen = null;
  async function poll() {
    try {
      const r = await fetch("/__nnblocks/version", { cache: "no-store" });
      const v = await r.text();
      if (seen !== null && v !== seen) location.reload();
      seen = v;
    } catch (e) {
      // The server is restarting or gone: keep trying.
    }
    setTimeout(poll, 500);
  }
  poll();
})();
"#;

/// Builds the book, serves it on `127.0.0.1:port` and rebuilds on every
/// change until the process is stopped.
pub fn serve(root: &Path, port: u16) -> Result<()> {
    let out = build(root).context("the first build failed")?;
    let version = Arc::new(AtomicU64::new(1));
    let listener = TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    eprintln!("nnblocks: serving the book at http://127.0.0.1:{port}/ (Ctrl-C stops)");
    let open = Arc::new(AtomicUsize::new(0));
    let served = (out.clone(), Arc::clone(&version));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                open.fetch_sub(1, Ordering::SeqCst);
                continue; // dropped: the browser retries
            }
            let (dir, version, open) = (served.0.clone(), Arc::clone(&served.1), Arc::clone(&open));
            std::thread::spawn(move || {
                let _ = answer(stream, &dir, &version);
                open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    let (tx, changes) = mpsc::channel();
    let book_dir = root.join("book");
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && matters(&event)
        {
            let _ = tx.send(event.paths);
        }
    })?;
    for (path, mode) in [
        (book_dir.as_path(), RecursiveMode::Recursive),
        (&root.join("crates"), RecursiveMode::Recursive),
        (&root.join("book.toml"), RecursiveMode::NonRecursive),
    ] {
        if path.exists() {
            watcher
                .watch(path, mode)
                .with_context(|| format!("watching {}", path.display()))?;
        }
    }
    loop {
        let mut changed = changes.recv().context("the file watcher stopped")?;
        // Let the editor finish; gather everything that changed meanwhile.
        loop {
            match changes.recv_timeout(QUIET) {
                Ok(more) => changed.extend(more),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Err(anyhow!("the watcher stopped")),
            }
        }
        changed.retain(|p| !ignored(root, p));
        if changed.is_empty() {
            continue;
        }
        changed.sort();
        changed.dedup();
        let names: Vec<String> = (changed.iter().take(3))
            .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
            .collect();
        eprintln!("nnblocks: changed: {}", names.join(", "));
        match build(root) {
            Ok(_) => {
                version.fetch_add(1, Ordering::SeqCst);
            }
            // The last good build stays served; the next save tries again.
            Err(e) => eprintln!("error: {e:#}\nnnblocks: still serving the last good build"),
        }
    }
}

/// One build of the whole book with problems shown in the pages; returns
/// the folder of the HTML.
fn build(root: &Path) -> Result<PathBuf> {
    let start = Instant::now();
    let book = crate::load_book(
        root,
        Nnblocks {
            show_problems: true,
            ..Nnblocks::default()
        },
    )?;
    book.build()?;
    eprintln!(
        "nnblocks: built the book in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(book.build_dir_for("html"))
}

/// A change worth a rebuild: files created, written, renamed or removed.
fn matters(event: &notify::Event) -> bool {
    matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    )
}

/// Files a rebuild must not follow: the store the build reads (and a bless
/// writes), editors' scratch files, build output.
fn ignored(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    rel.starts_with("book/outputs")
        || rel.components().any(|c| c.as_os_str() == "target")
        || name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
}

/// Reads one request from `stream` and answers it; the connection closes.
fn answer(mut stream: TcpStream, dir: &Path, version: &AtomicU64) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = Vec::new();
    let mut buf = [0; 4096];
    let (method, url) = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {
                break (
                    request.method.unwrap_or("").to_string(),
                    request.path.unwrap_or("/").to_string(),
                );
            }
            Ok(httparse::Status::Partial) if head.len() < MAX_HEAD => {}
            _ => return write_reply(&mut stream, &Reply::status(400, "bad request"), false),
        }
    };
    let reply = match method.as_str() {
        "GET" | "HEAD" => route(&url, dir, version),
        _ => Reply::status(405, "only GET and HEAD"),
    };
    write_reply(&mut stream, &reply, method == "HEAD")
}

fn route(url: &str, dir: &Path, version: &AtomicU64) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    match path {
        "/__nnblocks/version" => {
            Reply::new(version.load(Ordering::SeqCst).to_string(), "text/plain")
        }
        "/__nnblocks/reload.js" => Reply::new(RELOAD_JS, "text/javascript"),
        _ => file_reply(dir, path),
    }
}

fn write_reply(stream: &mut TcpStream, reply: &Reply, head_only: bool) -> std::io::Result<()> {
    let reason = match reply.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    write!(
        stream,
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        reply.status,
        reply.kind,
        reply.body.len()
    )?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

struct Reply {
    status: u16,
    kind: &'static str,
    body: Vec<u8>,
}

impl Reply {
    fn new(body: impl Into<Vec<u8>>, kind: &'static str) -> Self {
        Reply {
            status: 200,
            kind,
            body: body.into(),
        }
    }

    fn status(status: u16, text: &str) -> Self {
        Reply {
            status,
            kind: "text/plain; charset=utf-8",
            body: text.as_bytes().to_vec(),
        }
    }
}

/// The file of the built book at `url`, with the reload script in HTML.
fn file_reply(dir: &Path, url: &str) -> Reply {
    let Some(mut path) = local_path(dir, url) else {
        return Reply::status(403, "forbidden");
    };
    if path.is_dir() {
        path.push("index.html");
    }
    let Ok(bytes) = std::fs::read(&path) else {
        return Reply::status(404, &format!("not found: {url}"));
    };
    let kind = content_type(&path);
    if kind.starts_with("text/html") {
        let html = String::from_utf8_lossy(&bytes);
        let script = "<script src=\"/__nnblocks/reload.js\"></script>";
        let html = match html.rfind("</body>") {
            Some(i) => format!("{}{script}{}", &html[..i], &html[i..]),
            None => format!("{html}{script}"),
        };
        return Reply::new(html, kind);
    }
    Reply::new(bytes, kind)
}

/// `url` as a path inside `dir`, or `None` when it would leave it.
fn local_path(dir: &Path, url: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url.trim_start_matches('/'))?;
    let rel = Path::new(&decoded);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| dir.join(rel))
}

/// `%E1%84%80` and friends back to text; `None` for a malformed escape.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_stay_inside_the_book() {
        let dir = Path::new("/book");
        assert_eq!(
            local_path(dir, "/ch02/a.html"),
            Some(PathBuf::from("/book/ch02/a.html"))
        );
        assert_eq!(
            local_path(dir, "/%EA%B7%B8%EB%A6%BC.html"),
            Some(PathBuf::from("/book/그림.html"))
        );
        assert_eq!(local_path(dir, "/"), Some(PathBuf::from("/book/")));
        assert_eq!(local_path(dir, "/../etc/passwd"), None);
        assert_eq!(local_path(dir, "/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(local_path(dir, "/%zz"), None);
    }

    #[test]
    fn the_store_editors_and_targets_do_not_trigger_builds() {
        let root = Path::new("/r");
        assert!(!ignored(root, Path::new("/r/book/ch02/a.md")));
        assert!(!ignored(root, Path::new("/r/crates/dense/src/lib.rs")));
        assert!(ignored(root, Path::new("/r/book/outputs/ch02/a/k.txt")));
        assert!(ignored(root, Path::new("/r/book/ch02/.a.md.swp")));
        assert!(ignored(root, Path::new("/r/book/ch02/a.md~")));
        assert!(ignored(root, Path::new("/r/crates/dense/target/x")));
    }
}
