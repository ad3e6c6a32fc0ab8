//! "Request the code again" after a visible countdown. The server enforces the wait too; this
//! only shows it. Without JavaScript the page shows the seconds left and the form once a
//! reload finds the wait over.

use leptos::prelude::*;

#[component]
pub fn ResendAfter(seconds: i64, children: ChildrenFn) -> impl IntoView {
    let left = RwSignal::new(seconds.max(0));

    #[cfg(feature = "hydrate")]
    {
        use gloo_timers::callback::Interval;
        let ticker = StoredValue::new_local(None::<Interval>);
        if seconds > 0 {
            ticker.set_value(Some(Interval::new(1_000, move || {
                left.update(|l| *l = (*l - 1).max(0));
                if left.get_untracked() == 0 {
                    // Dropping the Interval stops it.
                    ticker.set_value(None);
                }
            })));
        }
        on_cleanup(move || ticker.set_value(None));
    }

    view! {
        {move || {
            let l = left.get();
            if l > 0 {
                view! {
                    <p class="muted countdown" aria-live="polite">
                        {format!("Didn't get it? You can request the code again in {l} seconds.")}
                        <noscript>" Reload this page then."</noscript>
                    </p>
                }
                    .into_any()
            } else {
                children().into_any()
            }
        }}
    }
}
