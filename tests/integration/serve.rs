//! `cargo run -- serve`: a page follows its source, and a failing snippet
//! shows its error in the page while the server keeps serving.

use crate::common::own_workspace;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process, stopped when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET `path` from the server: the status code and the body.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

/// Waits until `ok` holds for the page at `path`, up to `limit`.
fn wait_for(port: u16, path: &str, limit: Duration, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < limit {
        if let Some((200, body)) = get(port, path) {
            if ok(&body) {
                return body;
            }
            last = body;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{path} did not change as expected within {limit:?}; last body:\n{last}");
}

#[test]
fn served_pages_follow_their_source_and_show_failures() {
    let chapter = |body: &str| format!("# A\n\n```rust\n{body}\n```\n");
    let dir = own_workspace(&[("a.md", &chapter("println!(\"첫 번째 출력\");"))], &[]);
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_nnblocks"))
        .arg("--root")
        .arg(dir.path())
        .args(["serve", "--port", &port.to_string()])
        .env("NNBLOCKS_WORK_DIR", dir.path().join("work"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    // Read the terminal's lines as they come, so the pipe never fills.
    let stderr = server.0.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let lines: Vec<String> = BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect();
        lines.join("\n")
    });

    let limit = Duration::from_secs(180);
    let page = wait_for(port, "/a.html", limit, |b| b.contains("첫 번째 출력"));
    assert!(
        page.contains("/__nnblocks/reload.js"),
        "the page reloads itself"
    );
    let (_, version) = get(port, "/__nnblocks/version").unwrap();

    // An edit: the served page shows the new output.
    std::fs::write(
        dir.path().join("book/a.md"),
        chapter("println!(\"두 번째 출력\");"),
    )
    .unwrap();
    wait_for(port, "/a.html", limit, |b| b.contains("두 번째 출력"));
    let (_, newer) = get(port, "/__nnblocks/version").unwrap();
    assert_ne!(version, newer, "a rebuild moves the version the pages poll");

    // A panic: the page shows it at the snippet, with its file and line.
    std::fs::write(
        dir.path().join("book/a.md"),
        chapter("panic!(\"일부러 낸 오류\");"),
    )
    .unwrap();
    let page = wait_for(port, "/a.html", limit, |b| b.contains("일부러 낸 오류"));
    assert!(page.contains("nb-problems"), "{page}");
    assert!(page.contains("오류: book/a.md:4"), "{page}");

    // The server still serves, and the next save clears the error.
    std::fs::write(
        dir.path().join("book/a.md"),
        chapter("println!(\"고친 출력\");"),
    )
    .unwrap();
    let page = wait_for(port, "/a.html", limit, |b| b.contains("고친 출력"));
    assert!(!page.contains("nb-problems"));
    assert_eq!(get(port, "/../Cargo.toml").map(|r| r.0), Some(403));

    drop(server);
    let log = log.join().unwrap();
    assert!(
        log.contains(&format!("serving the book at http://127.0.0.1:{port}/")),
        "{log}"
    );
    assert!(
        log.contains("nnblocks: running 1/1 book/a.md:3"),
        "progress names the snippet:\n{log}"
    );
    assert!(log.contains("problem(s), shown in the pages"), "{log}");
}
