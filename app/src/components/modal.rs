use leptos::{html, prelude::*};

/// A modal dialog: focus moves into it when it opens and Escape closes it.
#[component]
pub fn Modal(
    #[prop(into)] open: Signal<bool>,
    #[prop(into)] title: String,
    /// `alertdialog` for urgent questions (the idle warning), `dialog` otherwise.
    #[prop(default = "dialog")]
    role: &'static str,
    #[prop(into)] on_close: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let panel = NodeRef::<html::Div>::new();
    let title_id = "modal-title";
    Effect::new(move || {
        if open.get() {
            if let Some(el) = panel.get() {
                let _ = el.focus();
            }
        }
    });
    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop">
                <div
                    class="modal"
                    role=role
                    aria-modal="true"
                    aria-labelledby=title_id
                    tabindex="-1"
                    node_ref=panel
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            on_close.run(());
                        }
                    }
                >
                    <h2 id=title_id class="modal-title">{title.clone()}</h2>
                    {children()}
                </div>
            </div>
        </Show>
    }
}
