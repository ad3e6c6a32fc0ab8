//! The HTTP SMS/voice provider: each code is one `POST` of JSON to `PORTICO_SMS_URL`
//! (`{"channel": "sms" | "voice", "to": "+1…", "body": "…"}`), with `Authorization: Bearer
//! PORTICO_SMS_TOKEN` when set; any 2xx answer means accepted. Most providers offer such an
//! endpoint directly or through a small relay.

use std::{sync::Arc, time::Duration};

use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::{
    rustls::{self, pki_types::ServerName, RootCertStore},
    TlsConnector,
};

use app::ssr::texts::{SendResult, TextChannel, TextSender};

pub struct HttpTexts {
    url: Uri,
    token: Option<String>,
    tls: TlsConnector,
}

impl HttpTexts {
    pub fn new(url: &str, token: Option<String>) -> Result<Self, String> {
        let url: Uri = url.parse().map_err(|e| format!("PORTICO_SMS_URL: {e}"))?;
        if url.host().is_none() {
            return Err("PORTICO_SMS_URL needs a host".into());
        }
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(HttpTexts {
            url,
            token,
            tls: TlsConnector::from(Arc::new(config)),
        })
    }

    async fn post(&self, json: String) -> Result<(), String> {
        let host = self.url.host().unwrap_or_default().to_string();
        let https = self.url.scheme_str() == Some("https");
        let port = self.url.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let path = self
            .url
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let mut req = Request::post(path)
            .header(hyper::header::HOST, host.clone())
            .header(hyper::header::CONTENT_TYPE, "application/json");
        if let Some(token) = &self.token {
            req = req.header(hyper::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = req
            .body(Full::new(Bytes::from(json)))
            .map_err(|e| e.to_string())?;
        let status = if https {
            let name = ServerName::try_from(host).map_err(|e| e.to_string())?;
            let tls = self
                .tls
                .connect(name, tcp)
                .await
                .map_err(|e| format!("tls: {e}"))?;
            send(TokioIo::new(tls), req).await?
        } else {
            send(TokioIo::new(tcp), req).await?
        };
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("provider answered {status}"))
        }
    }
}

async fn send<T>(io: TokioIo<T>, req: Request<Full<Bytes>>) -> Result<hyper::StatusCode, String>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let driver = tokio::spawn(conn);
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| format!("request: {e}"))?;
    let status = res.status();
    // Read the answer to the end so the connection closes cleanly; its content is not used.
    let _ = res.into_body().collect().await;
    driver.abort();
    Ok(status)
}

impl TextSender for HttpTexts {
    fn send<'a>(&'a self, channel: TextChannel, to: &'a str, body: &'a str) -> SendResult<'a> {
        Box::pin(async move {
            let json = serde_json::json!({ "channel": channel.as_str(), "to": to, "body": body })
                .to_string();
            match tokio::time::timeout(Duration::from_secs(10), self.post(json)).await {
                Ok(r) => r,
                Err(_) => Err("provider did not answer within 10 s".into()),
            }
        })
    }
}
