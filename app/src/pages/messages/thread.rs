//! One conversation on screen, for either side: the messages, kept current by the live
//! channel (reading only what is newer than the last message held), and the reply box.

use leptos::{html, prelude::*};

use crate::{
    api::{
        messages::{conversation_since, SendReply},
        staff_messages::{
            staff_conversation_since, SetConversationOpen, StaffReply, WithdrawMessage,
        },
    },
    components::{
        alert::{Alert, Tone},
        form::{field_error, form_error, FormError, SubmitButton},
        live::{use_live, LiveFeed, LiveState},
    },
    error::AppError,
    model::messages::{ConversationView, MessageView},
    url,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Patient,
    Staff,
}

impl Side {
    fn page(self, id: i64) -> String {
        match self {
            Side::Patient => format!("/messages/{id}"),
            Side::Staff => format!("/staff/messages/{id}"),
        }
    }

    fn sign_in(self) -> &'static str {
        match self {
            Side::Patient => "/login",
            Side::Staff => "/staff/login",
        }
    }
}

/// Everything about the conversation except its messages, as the last read left it.
#[derive(Debug, Clone, PartialEq)]
struct Meta {
    open: bool,
    closed_note: Option<String>,
    seen_note: Option<String>,
    can_write: bool,
    send_key: String,
    last_id: i64,
}

impl Meta {
    fn of(v: &ConversationView) -> Meta {
        Meta {
            open: v.open,
            closed_note: v.closed_note.clone(),
            seen_note: v.seen_note.clone(),
            can_write: v.can_write,
            send_key: v.send_key.clone(),
            last_id: v.last_id,
        }
    }
}

/// Fold a live update into what is on screen: new messages at the end (never twice), and
/// withdrawn ones changed in place.
fn merge(list: &mut Vec<MessageView>, update: &ConversationView) {
    let last = list.last().map_or(0, |m| m.id);
    list.extend(update.messages.iter().filter(|m| m.id > last).cloned());
    for w in &update.withdrawn {
        if let Some(m) = list.iter_mut().find(|m| m.id == w.id) {
            *m = w.clone();
        }
    }
}

/// Which side a thread is shown to, known when compiling: each side's page then carries only
/// its own forms and server functions, not the other side's.
pub trait SideOf: Send + Sync + 'static {
    const SIDE: Side;
}

pub struct PatientSide;
impl SideOf for PatientSide {
    const SIDE: Side = Side::Patient;
}

pub struct StaffSide;
impl SideOf for StaffSide {
    const SIDE: Side = Side::Staff;
}

/// The staff-only actions on a conversation.
#[derive(Clone, Copy)]
struct StaffActions {
    withdraw: ServerAction<WithdrawMessage>,
    set_open: ServerAction<SetConversationOpen>,
}

pub fn thread<S: SideOf>(v: ConversationView) -> impl IntoView {
    let side = S::SIDE;
    let id = v.id;
    let live = use_live();
    let messages = RwSignal::new(v.messages.clone());
    let meta = RwSignal::new(Meta::of(&v));
    let problem = RwSignal::new(None::<AppError>);
    let (reread, set_reread) = signal(0u64);
    read_on_signal::<S>(id, live, reread, messages, meta, problem);

    let staff = (side == Side::Staff).then(|| StaffActions {
        withdraw: ServerAction::<WithdrawMessage>::new(),
        set_open: ServerAction::<SetConversationOpen>::new(),
    });
    if let Some(a) = staff {
        Effect::watch(
            move || (a.withdraw.version().get(), a.set_open.version().get()),
            move |_, _, _| set_reread.update(|n| *n += 1),
            false,
        );
    }

    let page = side.page(id);
    let sign_in = format!("{}?next={}", side.sign_in(), url::encode(&page));
    view! {
        <div class="thread" data-testid="thread" data-live=move || (live.state.get() == LiveState::Live).then_some("on")>
            <Show when=move || live.state.get() == LiveState::SignedOut>
                <div class="alert alert-warning" role="alert" data-testid="signed-out">
                    "You're signed out of messaging. Sign in again to continue — your draft is kept. "
                    <a href=sign_in.clone() rel="external">"Sign in again"</a>
                </div>
            </Show>
            {move || problem.get().map(|e| view! { <Alert tone=Tone::Error>{e.to_string()}</Alert> })}
            {staff.map(|a| view! {
                <FormError error=form_error(a.withdraw)/>
                <FormError error=form_error(a.set_open)/>
            })}
            <ol class="messages" aria-label="Messages" aria-live="polite">
                <For each=move || messages.get() key=|m| (m.id, m.withdrawn.clone()) let:m>
                    {message::<S>(m, id, staff)}
                </For>
            </ol>
            {move || meta.with(|m| m.seen_note.clone()).map(|n| view! { <p class="muted small seen" data-testid="seen">{n}</p> })}
            <Show when=move || live.state.get() != LiveState::Live>
                <p class="check-new"><a href=page.clone()>"Check for new messages"</a></p>
            </Show>
            {move || meta.with(|m| m.closed_note.clone()).map(|note| {
                let text = match side {
                    Side::Patient => format!("{note} You can start a new message if you need anything else."),
                    Side::Staff => note,
                };
                view! { <Alert tone=Tone::Info>{text}</Alert> }
            })}
            {match side {
                Side::Patient => view! { <PatientReply id=id meta=meta draft=v.draft.clone() live=live after_send=set_reread/> }.into_any(),
                Side::Staff => view! { <StaffReplyBox id=id meta=meta after_send=set_reread/> }.into_any(),
            }}
            {staff.map(|a| view! {
                <ActionForm action=a.set_open attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="open" value=move || (!meta.with(|m| m.open)).to_string()/>
                    <button type="submit" class="btn btn-secondary">
                        {move || if meta.with(|m| m.open) { "Close conversation" } else { "Reopen conversation" }}
                    </button>
                </ActionForm>
            })}
        </div>
    }
}

/// Read what is newer whenever the channel (or this page) says so.
fn read_on_signal<S: SideOf>(
    id: i64,
    live: LiveFeed,
    reread: ReadSignal<u64>,
    messages: RwSignal<Vec<MessageView>>,
    meta: RwSignal<Meta>,
    problem: RwSignal<Option<AppError>>,
) {
    Effect::watch(
        move || (live.tick.get(), reread.get()),
        move |_, _, _| {
            let after = meta.with_untracked(|m| m.last_id);
            leptos::task::spawn_local(async move {
                let r = match S::SIDE {
                    Side::Patient => conversation_since(id, after).await,
                    Side::Staff => staff_conversation_since(id, after).await,
                };
                match r {
                    Ok(update) => {
                        messages.update(|list| merge(list, &update));
                        meta.update(|m| {
                            let last_id = m.last_id.max(update.last_id);
                            *m = Meta::of(&update);
                            m.last_id = last_id;
                        });
                        problem.set(None);
                    }
                    Err(AppError::Unauthorized) => live.signed_out(),
                    Err(e) => problem.set(Some(e)),
                }
            });
        },
        false,
    );
}

fn message<S: SideOf>(
    m: MessageView,
    conversation: i64,
    staff: Option<StaffActions>,
) -> impl IntoView {
    let anchor = format!("m{}", m.id);
    let reason_id = format!("reason-{}", m.id);
    let withdraw = staff
        .filter(|_| S::SIDE == Side::Staff && m.can_withdraw)
        .map(|a| a.withdraw);
    view! {
        <li class="message" class:message-practice=m.from_practice class:message-mine=m.mine id=anchor data-testid="message">
            <p class="message-meta"><strong>{m.author.clone()}</strong>" · "<span class="muted">{m.at.clone()}</span></p>
            {m.body.clone().map(|b| view! { <p class="message-body" class:message-struck=m.withdrawn.is_some()>{b}</p> })}
            {m.withdrawn.clone().map(|w| view! { <p class="message-withdrawn" data-testid="withdrawn">{w}</p> })}
            {withdraw.map(|withdraw| view! {
                <details class="withdraw">
                    <summary>"Mark as entered in error"</summary>
                    <ActionForm action=withdraw attr:class="form">
                        <input type="hidden" name="id" value=conversation/>
                        <input type="hidden" name="message_id" value=m.id/>
                        <div class="field">
                            <label for=reason_id.clone()>"Why was it entered in error?"</label>
                            <textarea id=reason_id name="reason" maxlength="500" rows="2" required=true></textarea>
                        </div>
                        <button type="submit" class="btn btn-danger btn-sm">"Mark as entered in error"</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}

/// Once a reply is sent, empty the box and read the conversation again (it shows the reply).
fn clear_when_sent(
    sent: impl Fn() -> bool + Send + Sync + 'static,
    area: NodeRef<html::Textarea>,
    after_send: WriteSignal<u64>,
) {
    Effect::watch(
        sent,
        move |sent, _, _| {
            if *sent {
                if let Some(el) = area.get_untracked() {
                    el.set_value("");
                }
                after_send.update(|n| *n += 1);
            }
        },
        false,
    );
}

/// The patient's reply box: saved as a draft on the server a moment after typing stops.
#[component]
fn PatientReply(
    id: i64,
    meta: RwSignal<Meta>,
    draft: String,
    live: LiveFeed,
    after_send: WriteSignal<u64>,
) -> impl IntoView {
    let reply = ServerAction::<SendReply>::new();
    let error = form_error(reply);
    let body_error = field_error(error, "body");
    let area = NodeRef::<html::Textarea>::new();
    let save = super::draft::autosave(id);
    let draft = StoredValue::new(draft);
    clear_when_sent(
        move || matches!(reply.value().get(), Some(Ok(_))),
        area,
        after_send,
    );
    let disabled = move || live.state.get() == LiveState::SignedOut;
    view! {
        <Show when=move || meta.with(|m| m.can_write)>
            <FormError error=error/>
            <ActionForm action=reply attr:class="form card reply">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="key" value=move || meta.with(|m| m.send_key.clone())/>
                <div class="field" class:field-invalid=move || body_error.get().is_some()>
                    <label for="field-body">"Reply"</label>
                    <p class="field-hint" id="field-body-hint">"Plain text, up to 4,000 characters. Not for emergencies: call 911."</p>
                    <textarea
                        id="field-body"
                        name="body"
                        rows="5"
                        maxlength="4000"
                        required=true
                        aria-describedby="field-body-hint"
                        node_ref=area
                        on:input=move |ev| save.run((String::new(), String::new(), event_target_value(&ev)))
                    >{draft.get_value()}</textarea>
                    {move || body_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
                <div class="actions">
                    <button type="submit" class="btn btn-primary" disabled=disabled>
                        {move || if reply.pending().get() { "Sending…" } else { "Send" }}
                    </button>
                </div>
            </ActionForm>
        </Show>
    }
}

#[component]
fn StaffReplyBox(id: i64, meta: RwSignal<Meta>, after_send: WriteSignal<u64>) -> impl IntoView {
    let reply = ServerAction::<StaffReply>::new();
    let error = form_error(reply);
    let body_error = field_error(error, "body");
    let area = NodeRef::<html::Textarea>::new();
    clear_when_sent(
        move || matches!(reply.value().get(), Some(Ok(_))),
        area,
        after_send,
    );
    view! {
        <Show when=move || meta.with(|m| m.can_write)>
            <FormError error=error/>
            <ActionForm action=reply attr:class="form card reply">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="key" value=move || meta.with(|m| m.send_key.clone())/>
                <div class="field" class:field-invalid=move || body_error.get().is_some()>
                    <label for="field-body">"Reply"</label>
                    <textarea id="field-body" name="body" rows="5" maxlength="4000" required=true node_ref=area></textarea>
                    {move || body_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
                <div class="actions">
                    <SubmitButton label="Send" pending_label="Sending…" pending=reply.pending()/>
                </div>
            </ActionForm>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: i64, withdrawn: Option<&str>) -> MessageView {
        MessageView {
            id,
            author: "A".into(),
            from_practice: true,
            mine: false,
            body: withdrawn.is_none().then(|| "text".into()),
            at: String::new(),
            withdrawn: withdrawn.map(str::to_string),
            can_withdraw: false,
        }
    }

    #[test]
    fn updates_add_each_message_once_and_change_withdrawn_ones_in_place() {
        let mut list = vec![msg(1, None), msg(2, None)];
        let update = ConversationView {
            id: 1,
            subject: String::new(),
            topic: crate::model::messages::Topic::Other,
            practice: crate::model::messages::PracticeMessaging {
                name: String::new(),
                enabled: true,
                response_time: String::new(),
                phone: String::new(),
                address: String::new(),
            },
            patient_name: String::new(),
            patient_dob: String::new(),
            chart_id: 0,
            open: true,
            closed_note: None,
            messages: vec![msg(2, None), msg(3, None)],
            withdrawn: vec![msg(1, Some("withdrawn"))],
            seen_note: None,
            can_write: true,
            draft: String::new(),
            send_key: String::new(),
            last_id: 3,
        };
        merge(&mut list, &update);
        assert_eq!(list.iter().map(|m| m.id).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(list[0].body, None);
        assert_eq!(list[0].withdrawn.as_deref(), Some("withdrawn"));
    }
}
