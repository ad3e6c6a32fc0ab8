//! The WASM entry point: hydrate the server-rendered page, loading the opened route's code
//! chunk first.

use wasm_bindgen::{closure::Closure, JsCast};

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        offer_reload();
    }));
    // What `leptos::mount::hydrate_lazy` does, plus knowing when it is done.
    let links = PlainLinksWhileHydrating::install();
    wasm_bindgen_futures::spawn_local(async move {
        let owner = leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        owner.forget();
        drop(links);
        // For the browser journeys: the page is interactive from here on.
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}

/// The router listens for link clicks as soon as it exists, but the opened route hydrates
/// only once its chunk has arrived; a client-side navigation in between replaces the DOM that
/// hydration is still walking, and the app panics ("entered unreachable code" in tachys's
/// hydration). Until hydration ends, a link click is kept from the router, so the browser
/// follows it as an ordinary page load, which the server renders whole.
struct PlainLinksWhileHydrating(Option<Closure<dyn FnMut(web_sys::Event)>>);

impl PlainLinksWhileHydrating {
    fn install() -> Self {
        let Some(window) = web_sys::window() else {
            return Self(None);
        };
        let keep_from_router = Closure::<dyn FnMut(web_sys::Event)>::new(|ev: web_sys::Event| {
            let on_link = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("a[href]").ok().flatten())
                .is_some();
            if on_link {
                ev.stop_propagation();
            }
        });
        let added = window.add_event_listener_with_callback_and_bool(
            "click",
            keep_from_router.as_ref().unchecked_ref(),
            true,
        );
        Self(added.is_ok().then_some(keep_from_router))
    }
}

impl Drop for PlainLinksWhileHydrating {
    fn drop(&mut self) {
        if let (Some(window), Some(listener)) = (web_sys::window(), self.0.take()) {
            let _ = window.remove_event_listener_with_callback_and_bool(
                "click",
                listener.as_ref().unchecked_ref(),
                true,
            );
        }
    }
}

/// A panic stops the app for good (the WASM is built with `panic = "abort"`); the commonest
/// one is a page's code chunk that failed to download on a bad connection. Say so, and offer
/// a reload, which the server answers with the whole page.
fn offer_reload() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.get_element_by_id("reload-banner").is_some() {
        return;
    }
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_id("reload-banner");
    banner.set_class_name("reload-banner");
    let _ = banner.set_attribute("role", "alert");
    banner.set_inner_html(
        "<p>This page could not finish loading, perhaps because the connection dropped.</p>\
         <p><a class=\"btn btn-primary\" rel=\"external\" href=\"\">Reload the page</a></p>",
    );
    if let Some(link) = banner
        .query_selector("a")
        .ok()
        .flatten()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        if let Some(href) = web_sys::window().and_then(|w| w.location().href().ok()) {
            link.set_href(&href);
        }
    }
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&banner);
    }
}
