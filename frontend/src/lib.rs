//! The WASM entry point: hydrate the server-rendered page, loading the opened route's code
//! chunk first.

use wasm_bindgen::JsCast;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        offer_reload();
    }));
    leptos::mount::hydrate_lazy(app::App);
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
