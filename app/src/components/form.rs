use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;
use server_fn::error::ServerFnUrlError;

use crate::error::AppError;

/// The error of the last submission of a form, if it failed.
///
/// With JavaScript it is the action's result. Without, the server redirected back here with
/// the error encoded in the address (`__path`, `__err`); it is read from there until the form
/// is submitted again.
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let query = use_query_map();
    let value = action.value();
    Signal::derive(move || match value.get() {
        Some(result) => result.err(),
        None => query.with(|q| {
            (q.get_str("__path") == Some(S::PATH))
                .then(|| {
                    q.get_str("__err")
                        .map(ServerFnUrlError::<AppError>::decode_err)
                })
                .flatten()
        }),
    })
}

/// The inline message for one field from the last submission's error.
pub fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
}

/// A labelled input with an optional hint and an inline error tied to it for screen readers.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    /// The element id, where one page has two fields of the same name.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let id = id.map_or_else(|| format!("field-{name}"), str::to_string);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {move || {
                error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })
            }}
        </div>
    }
}

/// The form-level message: shown for errors that belong to no single field.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let text = match &e {
                AppError::Validation { fields, message } if !fields.is_empty() => message.clone(),
                other => other.to_string(),
            };
            view! {
                <div class="alert alert-error" role="alert">
                    {text}
                </div>
            }
        })
    }
}

/// A submit button that says it is working and cannot be pressed twice meanwhile.
#[component]
pub fn SubmitButton(
    #[prop(into)] label: String,
    #[prop(into)] pending_label: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(default = "btn btn-primary")] class: &'static str,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class=class
            disabled=move || pending.get()
            aria-busy=move || pending.get().then_some("true")
        >
            {move || if pending.get() { pending_label.clone() } else { label.clone() }}
        </button>
    }
}
