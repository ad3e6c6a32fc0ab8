use leptos::prelude::*;

/// What a list shows when it has nothing in it: say so, and say what to do next.
#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(into)] text: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <section class="empty-state">
            <div class="empty-icon" aria-hidden="true"></div>
            <h2>{title}</h2>
            <p>{text}</p>
            {children.map(|c| c())}
        </section>
    }
}
