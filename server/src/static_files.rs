//! The built front-end files (`/pkg/…`), answered in the encoding the browser accepts, as
//! precompressed at build time. Reading them from disk on every request cost a trip through
//! tokio's blocking pool per file, so the brotli variant, which every current browser takes, is
//! held in memory from its first request on; the gzip and plain variants, which only older or
//! unusual clients ask for, are more than twice its size and stay on disk. Not read at start-up:
//! the build writes about 3 MB of brotli files, most of them chunks that the route bundles also
//! hold, and an idle server need not keep them resident.

use std::{collections::HashMap, path::Path, sync::Arc};

use axum::{
    body::Bytes,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

struct File {
    content_type: &'static str,
    plain: Plain,
    br: Option<Held>,
    gzip: Option<std::path::PathBuf>,
}

/// A file read from disk on its first request and held from then on.
struct Held {
    path: std::path::PathBuf,
    bytes: tokio::sync::OnceCell<Bytes>,
}

impl Held {
    async fn get(&self) -> std::io::Result<Bytes> {
        self.bytes
            .get_or_try_init(|| read(&self.path))
            .await
            .cloned()
    }
}

async fn read(path: &Path) -> std::io::Result<Bytes> {
    tokio::fs::read(path).await.map(Bytes::from)
}

enum Plain {
    Held(Bytes),
    OnDisk(std::path::PathBuf),
}

#[derive(Default)]
pub struct StaticFiles {
    files: HashMap<String, File>,
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "wasm" => "application/wasm",
        "js" => "text/javascript",
        "css" => "text/css",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

impl StaticFiles {
    /// Every file under `dir`, by its path relative to it (`portico.abc.wasm`). A missing
    /// directory (tests, a server started before the first build) holds no files.
    pub fn load(dir: &Path) -> StaticFiles {
        let mut files = HashMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Some(rel) = path
                    .strip_prefix(dir)
                    .ok()
                    .and_then(|p| p.to_str())
                    .map(str::to_string)
                else {
                    continue;
                };
                if rel.ends_with(".br") || rel.ends_with(".gz") {
                    continue;
                }
                let br = Some(std::path::PathBuf::from(format!("{}.br", path.display())))
                    .filter(|p| p.is_file())
                    .map(|path| Held {
                        path,
                        bytes: tokio::sync::OnceCell::new(),
                    });
                let gzip = Some(std::path::PathBuf::from(format!("{}.gz", path.display())))
                    .filter(|p| p.is_file());
                let plain = if br.is_some() || gzip.is_some() {
                    Plain::OnDisk(path.clone())
                } else {
                    let Ok(plain) = std::fs::read(&path) else {
                        continue;
                    };
                    Plain::Held(Bytes::from(plain))
                };
                files.insert(
                    rel.clone(),
                    File {
                        content_type: content_type(&rel),
                        plain,
                        br,
                        gzip,
                    },
                );
            }
        }
        StaticFiles { files }
    }

    /// The files of the site's `pkg` directory, loaded once per process.
    pub fn shared(dir: &Path) -> Arc<StaticFiles> {
        static FILES: std::sync::OnceLock<Arc<StaticFiles>> = std::sync::OnceLock::new();
        FILES
            .get_or_init(|| Arc::new(StaticFiles::load(dir)))
            .clone()
    }

    pub async fn respond(&self, path: &str, headers: &HeaderMap) -> Response {
        let Some(file) = self.files.get(path.trim_start_matches('/')) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let accepted = headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let read = match (&file.br, &file.gzip) {
            (Some(br), _) if accepts(&accepted, "br") => br.get().await.map(|b| (b, Some("br"))),
            (_, Some(gz)) if accepts(&accepted, "gzip") => {
                read(gz).await.map(|b| (b, Some("gzip")))
            }
            _ => match &file.plain {
                Plain::Held(bytes) => Ok((bytes.clone(), None)),
                Plain::OnDisk(path) => read(path).await.map(|b| (b, None)),
            },
        };
        // A file removed under a running server (a new build) is gone for the client too: a
        // page of the new build asks for new names.
        let Ok((body, encoding)) = read else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let mut res = body.into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(file.content_type),
        );
        if let Some(e) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
        }
        res
    }
}

/// Whether an `Accept-Encoding` value accepts `coding` (and does not refuse it with `q=0`).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        parts.next().is_some_and(|c| c.eq_ignore_ascii_case(coding))
            && !parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            })
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn encodings_are_negotiated() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("br;q=0.8", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("", "gzip"));
    }

    #[tokio::test]
    async fn files_are_answered_in_the_encoding_asked_for() {
        let dir = std::env::temp_dir().join(format!("portico-static-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("snippets")).unwrap();
        std::fs::write(dir.join("app.js"), "plain").unwrap();
        std::fs::write(dir.join("app.js.br"), "brotli").unwrap();
        std::fs::write(dir.join("app.js.gz"), "gzipped").unwrap();
        std::fs::write(dir.join("snippets/x.css"), "css").unwrap();
        let files = StaticFiles::load(&dir);

        let ask = |path: &'static str, enc: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(enc).unwrap());
            let files = &files;
            async move { files.respond(path, &h).await }
        };
        let r = ask("/app.js", "gzip, br").await;
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/javascript");
        assert_eq!(
            ask("/app.js", "gzip").await.headers()[header::CONTENT_ENCODING],
            "gzip"
        );
        // The plain bytes come from disk when asked for.
        let plain = ask("/app.js", "identity").await;
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        let body = axum::body::to_bytes(plain.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], b"plain");
        assert_eq!(ask("/snippets/x.css", "").await.status(), StatusCode::OK);
        assert_eq!(
            ask("/app.js.br", "br").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ask("/missing.wasm", "br").await.status(),
            StatusCode::NOT_FOUND
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_brotli_file_is_read_when_first_asked_for_and_held_after() {
        let dir = std::env::temp_dir().join(format!("portico-static-held-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.wasm"), "plain a").unwrap();
        std::fs::write(dir.join("a.wasm.br"), "brotli a").unwrap();
        std::fs::write(dir.join("b.wasm"), "plain b").unwrap();
        std::fs::write(dir.join("b.wasm.br"), "brotli b").unwrap();
        let files = StaticFiles::load(&dir);
        let held = |name: &str| files.files[name].br.as_ref().unwrap().bytes.get().cloned();
        assert_eq!(
            held("a.wasm"),
            None,
            "nothing is read before it is asked for"
        );

        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        let body = |r: Response| async { axum::body::to_bytes(r.into_body(), 1024).await.unwrap() };
        assert_eq!(
            &body(files.respond("/a.wasm", &h).await).await[..],
            b"brotli a"
        );
        assert_eq!(held("a.wasm").as_deref(), Some(&b"brotli a"[..]));
        assert_eq!(held("b.wasm"), None, "only the file asked for is held");

        // Held: answered from memory even once the file on disk is gone.
        std::fs::remove_dir_all(&dir).unwrap();
        let again = files.respond("/a.wasm", &h).await;
        assert_eq!(again.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(&body(again).await[..], b"brotli a");
        // Never read, so gone with the build that wrote it.
        assert_eq!(
            files.respond("/b.wasm", &h).await.status(),
            StatusCode::NOT_FOUND
        );
    }
}
