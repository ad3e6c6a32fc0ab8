use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Info => "alert alert-info",
            Tone::Success => "alert alert-success",
            Tone::Warning => "alert alert-warning",
            Tone::Error => "alert alert-error",
        }
    }
}

/// A message box. Errors are announced at once (`role="alert"`), the rest politely.
#[component]
pub fn Alert(tone: Tone, children: Children) -> impl IntoView {
    let role = if tone == Tone::Error {
        "alert"
    } else {
        "status"
    };
    view! {
        <div class=tone.class() role=role>
            {children()}
        </div>
    }
}
