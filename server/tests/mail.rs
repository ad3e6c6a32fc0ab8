//! Outbox delivery through a real SMTP conversation: a small SMTP sink started by the test,
//! down (nothing is lost; the message waits, blamed for nothing), up (delivered once at the next
//! pass), down again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};

use app::ssr::outbox::{self, Channel, Message};
use server::delivery::{deliver_due, Transport};
use support::TestApp;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// Accepts SMTP on `listener` and records each message's DATA.
fn sink(listener: TcpListener) -> (Arc<Mutex<Vec<String>>>, tokio::task::JoinHandle<()>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(data.take().unwrap_or_default());
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (got, server)
}

both!(
    mail_waits_while_the_server_is_down_then_goes_once,
    |app: TestApp| async move {
        // A free port, closed again: the mail server is down.
        let port = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = (*app.state.config).clone();
        config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        config.mail_from = "Riverside via Portico <no-reply@portico.test>".into();
        let transport = Transport::from_config(&config).unwrap();

        let now = app.state.clock.now();
        let mut conn = app.db.write().acquire().await.unwrap();
        outbox::enqueue(
            &mut conn,
            now,
            Message {
                channel: Channel::Email,
                to: "emma.carter@example.com",
                subject: "Appointment confirmed",
                body: "Your appointment is confirmed.",
                dedupe_key: None,
            },
        )
        .await
        .unwrap();
        drop(conn);
        let pending = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'";
        let before = app.count(pending).await;

        let away = deliver_due(&app.state, &transport).await.unwrap();
        assert_eq!((away.delivered, away.server_away), (0, true));
        assert_eq!(app.count(pending).await, before, "nothing lost while down");
        // An unreachable server is no fault of the message: however long it is away, no
        // message uses up its attempts or waits out a backoff of its own.
        for _ in 0..30 {
            app.state.clock.advance(60);
            assert!(
                deliver_due(&app.state, &transport)
                    .await
                    .unwrap()
                    .server_away
            );
        }
        assert_eq!(app.count("SELECT MAX(attempts) FROM outbox").await, 0);

        // The server comes up; everything pending goes at the next pass, once.
        let (got, server) = sink(TcpListener::bind(("127.0.0.1", port)).await.unwrap());
        let delivered = deliver_due(&app.state, &transport).await.unwrap().delivered;
        assert_eq!(delivered as i64, before);
        assert_eq!(app.count(pending).await, 0);
        assert_eq!(
            deliver_due(&app.state, &transport).await.unwrap().delivered,
            0
        );
        let messages = got.lock().unwrap().clone();
        assert_eq!(messages.len() as i64, before);
        let ours = messages
            .iter()
            .find(|m| m.contains("Subject: Appointment confirmed"))
            .expect("delivered");
        assert!(ours.contains("To: emma.carter@example.com"));
        assert!(ours.contains("Your appointment is confirmed."));

        // Down again: the next message waits in the outbox instead of being lost.
        server.abort();
        let _ = server.await;
        let mut conn = app.db.write().acquire().await.unwrap();
        outbox::enqueue(
            &mut conn,
            app.state.clock.now(),
            Message {
                channel: Channel::Email,
                to: "emma.carter@example.com",
                subject: "Appointment canceled",
                body: "Your appointment is canceled.",
                dedupe_key: None,
            },
        )
        .await
        .unwrap();
        drop(conn);
        assert!(
            deliver_due(&app.state, &transport)
                .await
                .unwrap()
                .server_away
        );
        assert_eq!(app.count(pending).await, 1);
        assert_eq!(got.lock().unwrap().len() as i64, before);
    }
);
