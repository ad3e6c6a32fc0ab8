//! The browser's end of the live messaging channel (`/api/live/stream`).
//!
//! Every event only says "read again": the page then asks an authorised server function for
//! what is newer than what it holds. A periodic read is the safety net for a channel that is
//! silently stuck. Without JavaScript none of this runs and pages offer "Check for new messages".

use leptos::prelude::*;

/// What the channel knows of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    /// Not (yet) connected: the page offers a manual check.
    Offline,
    Live,
    /// The session ended; the page says so and keeps the draft.
    SignedOut,
}

#[derive(Clone, Copy)]
pub struct LiveFeed {
    /// Bumped whenever the page should read again.
    pub tick: ReadSignal<u64>,
    pub state: RwSignal<LiveState>,
}

impl LiveFeed {
    /// A read came back "please sign in": the session is over.
    pub fn signed_out(&self) {
        self.state.set(LiveState::SignedOut);
    }
}

/// While a page that shows a conversation is open, the idle timer leaves it in place when the
/// session ends, so that the page can say so and keep what was being written.
#[derive(Clone, Copy)]
pub struct IdleHandoff(pub RwSignal<bool>);

/// How often a page reads again even without a signal.
#[cfg(feature = "hydrate")]
const SAFETY_NET_MS: u32 = 30_000;

pub fn use_live() -> LiveFeed {
    let (tick, set_tick) = signal(0u64);
    let state = RwSignal::new(LiveState::Offline);
    if let Some(IdleHandoff(h)) = use_context::<IdleHandoff>() {
        h.set(true);
        on_cleanup(move || h.set(false));
    }
    #[cfg(feature = "hydrate")]
    connect(set_tick, state);
    #[cfg(not(feature = "hydrate"))]
    let _ = set_tick;
    LiveFeed { tick, state }
}

#[cfg(feature = "hydrate")]
fn connect(set_tick: WriteSignal<u64>, state: RwSignal<LiveState>) {
    use gloo_timers::callback::Interval;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{Event, EventSource};

    let Ok(source) = EventSource::new("/api/live/stream") else {
        return;
    };
    let bump = move || set_tick.update(|t| *t += 1);
    let mut handlers: Vec<Closure<dyn FnMut(Event)>> = Vec::new();
    let mut on = |name: &str, f: Box<dyn FnMut(Event)>| {
        let c = Closure::wrap(f);
        let _ = source.add_event_listener_with_callback(name, c.as_ref().unchecked_ref());
        handlers.push(c);
    };
    on(
        "ready",
        Box::new(move |_| {
            if state.get_untracked() != LiveState::SignedOut {
                state.set(LiveState::Live);
            }
            // Anything may have happened while connecting (or reconnecting).
            bump();
        }),
    );
    for name in ["changed", "resync", "reload"] {
        on(name, Box::new(move |_| bump()));
    }
    let closer = source.clone();
    on(
        "signed_out",
        Box::new(move |_| {
            closer.close();
            state.set(LiveState::SignedOut);
        }),
    );
    let watcher = source.clone();
    on(
        "error",
        Box::new(move |_| {
            if state.get_untracked() == LiveState::Live {
                state.set(LiveState::Offline);
            }
            // A refused stream (signed out, too many windows) is not retried by the browser;
            // a read finds out which it was.
            if watcher.ready_state() == EventSource::CLOSED {
                bump();
            }
        }),
    );
    let timer = Interval::new(SAFETY_NET_MS, bump);
    let held = StoredValue::new_local(Some((source, handlers, timer)));
    on_cleanup(move || {
        if let Some((source, handlers, timer)) = held.try_update_value(Option::take).flatten() {
            source.close();
            drop(handlers);
            drop(timer);
        }
    });
}
