//! The listening socket.

use std::net::SocketAddr;

use axum::serve::{ListenerExt, TapIo};
use tokio::net::{TcpListener, TcpStream};

pub type NoDelayListener = TapIo<TcpListener, fn(&mut TcpStream)>;

/// Listen on `addr`, with TCP_NODELAY on every accepted connection. Without it, a response
/// written in two pieces (headers, then a file body) holds its second piece until the client's
/// delayed ACK arrives: 40 ms on every static file asked for on a kept-alive connection.
pub async fn bind(addr: SocketAddr) -> std::io::Result<NoDelayListener> {
    Ok(TcpListener::bind(addr)
        .await?
        .tap_io(no_delay as fn(&mut TcpStream)))
}

fn no_delay(tcp: &mut TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!(error = %e, "cannot set TCP_NODELAY");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::serve::Listener;

    #[tokio::test]
    async fn accepted_connections_send_small_writes_at_once() {
        let mut listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (server_side, _) = listener.accept().await;
        assert!(server_side.nodelay().unwrap());
        drop(client);
    }
}
