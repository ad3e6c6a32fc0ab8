//! Portico's shared Leptos crate: pages, components and server functions. Compiled to WASM
//! (`hydrate`) and to native code (`ssr`); server-only code lives in `ssr`.

pub mod api;
pub mod auth_context;
pub mod components;
pub mod domain;
pub mod error;
pub mod layout;
pub mod model;
pub mod pages;
pub mod routes;
pub mod url;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::Router;

use crate::routes::AppRoutes;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The per-response CSP nonce chosen by the security-headers middleware; Leptos puts it on
    // the resource data scripts it writes.
    #[cfg(feature = "ssr")]
    if let Some(nonce) = ssr::request::csp_nonce() {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=stylesheet_href(&options)/>
                {app_files(&options)}
                <MetaTags/>
                {boot_script()}
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page first, then the app. The head names the app's files (`portico-app`, and the
/// route's `portico-chunks`) instead of preloading them, and `boot.js` starts fetching them
/// only once the page has painted: on a phone's slow connection, preloads would share the
/// bandwidth with the stylesheet that the first paint waits for. The page works before it
/// hydrates (links and forms are plain HTML). Pages are rendered only on the server.
#[cfg(feature = "ssr")]
fn app_files(options: &LeptosOptions) -> impl IntoView {
    static FILES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let files = FILES.get_or_init(|| {
        let (js, wasm) = ssr::assets::app_hrefs(options);
        match ssr::assets::SplitManifest::get(options) {
            Some(split) => format!("{js} {wasm} {}", split.loader_href()),
            None => format!("{js} {wasm}"),
        }
    });
    view! { <meta name="portico-app" content=files.clone()/> }
}

#[cfg(feature = "ssr")]
fn boot_script() -> impl IntoView {
    let nonce = ssr::request::csp_nonce().unwrap_or_default();
    view! { <script nonce=nonce inner_html=include_str!("boot.js")></script> }
}

#[cfg(not(feature = "ssr"))]
fn app_files(_: &LeptosOptions) -> impl IntoView {}

#[cfg(not(feature = "ssr"))]
fn boot_script() -> impl IntoView {}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| {
            if text.is_empty() { "Portico".to_string() } else { format!("{text} · Portico") }
        }/>
        <Router>
            <AppRoutes/>
        </Router>
    }
}

/// The stylesheet's address, with cargo-leptos's content hash when the build hashed its files
/// (release). Read from the hash file once per process, not once per page.
fn stylesheet_href(options: &LeptosOptions) -> String {
    #[cfg(feature = "ssr")]
    {
        static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        HREF.get_or_init(|| ssr::assets::stylesheet_href(options))
            .clone()
    }
    #[cfg(not(feature = "ssr"))]
    {
        format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
    }
}
