//! Client-side half of page protection. The server redirects signed-out requests before any
//! page renders; this covers a session that ends while the app is open in the browser.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::{auth_context::use_auth, model::PrincipalKind};

/// Send the browser to `sign_in_path` (then back) if the user is not signed in as `kind`.
pub fn require(kind: PrincipalKind, sign_in_path: &'static str) {
    let auth = use_auth();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move || {
        // Signing out navigates by itself, to the sign-in page without a way back.
        if auth.logout.version().get() > 0 {
            return;
        }
        let signed_in_as_kind = match auth.user.get() {
            Some(Ok(Some(u))) => u.kind == kind,
            Some(Ok(None)) => false,
            // Still loading, or the server could not be asked: decide nothing yet.
            _ => return,
        };
        if !signed_in_as_kind {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            navigate(
                &format!("{sign_in_path}?next={}", crate::url::encode(&here)),
                Default::default(),
            );
        }
    });
}
