//! The appointment lifecycle (SPEC §2.1): every state, every transition, who may make it, and
//! what it requires.

use serde::{Deserialize, Serialize};

use crate::model::StaffRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    Requested,
    Confirmed,
    Declined,
    CancellationRequested,
    RescheduleRequested,
    /// A new time proposed by the office; patients see it as "Tentative".
    Proposed,
    Cancelled,
    Completed,
    NoShow,
}

impl State {
    pub const ALL: [State; 9] = [
        State::Requested,
        State::Confirmed,
        State::Declined,
        State::CancellationRequested,
        State::RescheduleRequested,
        State::Proposed,
        State::Cancelled,
        State::Completed,
        State::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Requested => "requested",
            State::Confirmed => "confirmed",
            State::Declined => "declined",
            State::CancellationRequested => "cancellation_requested",
            State::RescheduleRequested => "reschedule_requested",
            State::Proposed => "proposed",
            State::Cancelled => "cancelled",
            State::Completed => "completed",
            State::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// What a patient sees.
    pub fn label(self) -> &'static str {
        match self {
            State::Requested => "Pending",
            State::Confirmed => "Confirmed",
            State::Declined => "Declined",
            State::CancellationRequested => "Cancellation requested",
            State::RescheduleRequested => "Reschedule requested",
            State::Proposed => "Tentative",
            State::Cancelled => "Canceled",
            State::Completed => "Completed",
            State::NoShow => "Missed",
        }
    }

    /// Whether the appointment still holds its slot (an open change request keeps it booked).
    pub fn holds_slot(self) -> bool {
        matches!(
            self,
            State::Requested
                | State::Confirmed
                | State::CancellationRequested
                | State::RescheduleRequested
                | State::Proposed
        )
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::Declined | State::Cancelled | State::Completed | State::NoShow
        )
    }
}

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    Patient,
    /// Someone acting for the patient (parent, guardian, caregiver).
    Representative,
    Staff(StaffRole),
    System,
}

impl Actor {
    fn is_patient_side(self) -> bool {
        matches!(self, Actor::Patient | Actor::Representative)
    }

    fn is_staff(self) -> bool {
        matches!(self, Actor::Staff(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Patient cancels a pending request; immediate.
    CancelRequest,
    /// Patient changes the time of a pending request.
    ChangeRequestedTime,
    Confirm,
    Decline,
    RequestCancellation,
    RequestReschedule,
    ProposeTime,
    ApproveCancellation,
    DeclineCancellation,
    ApproveReschedule,
    DeclineReschedule,
    AcceptProposal,
    /// Patient turns down a proposed time and cancels altogether.
    RejectProposal,
    Complete,
    MarkNoShow,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::CancelRequest,
        Action::ChangeRequestedTime,
        Action::Confirm,
        Action::Decline,
        Action::RequestCancellation,
        Action::RequestReschedule,
        Action::ProposeTime,
        Action::ApproveCancellation,
        Action::DeclineCancellation,
        Action::ApproveReschedule,
        Action::DeclineReschedule,
        Action::AcceptProposal,
        Action::RejectProposal,
        Action::Complete,
        Action::MarkNoShow,
    ];

    /// The name stored in an appointment's history.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CancelRequest => "cancel_request",
            Action::ChangeRequestedTime => "change_requested_time",
            Action::Confirm => "confirm",
            Action::Decline => "decline",
            Action::RequestCancellation => "request_cancellation",
            Action::RequestReschedule => "request_reschedule",
            Action::ProposeTime => "propose_time",
            Action::ApproveCancellation => "approve_cancellation",
            Action::DeclineCancellation => "decline_cancellation",
            Action::ApproveReschedule => "approve_reschedule",
            Action::DeclineReschedule => "decline_reschedule",
            Action::AcceptProposal => "accept_proposal",
            Action::RejectProposal => "reject_proposal",
            Action::Complete => "complete",
            Action::MarkNoShow => "no_show",
        }
    }

    /// How the history reads it.
    pub fn past_tense(self) -> &'static str {
        match self {
            Action::CancelRequest => "Canceled the request",
            Action::ChangeRequestedTime => "Changed the requested time",
            Action::Confirm => "Confirmed the appointment",
            Action::Decline => "Declined the request",
            Action::RequestCancellation => "Requested cancellation",
            Action::RequestReschedule => "Requested a new time",
            Action::ProposeTime => "Proposed a new time",
            Action::ApproveCancellation => "Approved the cancellation",
            Action::DeclineCancellation => "Declined the cancellation request",
            Action::ApproveReschedule => "Approved the new time",
            Action::DeclineReschedule => "Declined the new time",
            Action::AcceptProposal => "Accepted the proposed time",
            Action::RejectProposal => "Canceled instead of taking the proposed time",
            Action::Complete => "Marked the appointment completed",
            Action::MarkNoShow => "Marked the appointment missed",
        }
    }
}

/// What a transition needs besides the actor's say-so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Requirement {
    Reason,
    NewSlot,
    Note,
    /// Only once the appointment's start has passed.
    InThePast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    PatientSide,
    Staff,
}

struct Rule {
    from: State,
    action: Action,
    to: State,
    who: Who,
    requires: &'static [Requirement],
}

use Action as A;
use Requirement as R;
use State as S;

const RULES: &[Rule] = &[
    Rule {
        from: S::Requested,
        action: A::CancelRequest,
        to: S::Cancelled,
        who: Who::PatientSide,
        requires: &[],
    },
    Rule {
        from: S::Requested,
        action: A::ChangeRequestedTime,
        to: S::Requested,
        who: Who::PatientSide,
        requires: &[R::NewSlot],
    },
    Rule {
        from: S::Requested,
        action: A::Confirm,
        to: S::Confirmed,
        who: Who::Staff,
        requires: &[],
    },
    Rule {
        from: S::Requested,
        action: A::Decline,
        to: S::Declined,
        who: Who::Staff,
        requires: &[R::Reason],
    },
    Rule {
        from: S::Confirmed,
        action: A::RequestCancellation,
        to: S::CancellationRequested,
        who: Who::PatientSide,
        requires: &[R::Reason],
    },
    Rule {
        from: S::Confirmed,
        action: A::RequestReschedule,
        to: S::RescheduleRequested,
        who: Who::PatientSide,
        requires: &[R::NewSlot],
    },
    Rule {
        from: S::Confirmed,
        action: A::ProposeTime,
        to: S::Proposed,
        who: Who::Staff,
        requires: &[R::Reason, R::Note, R::NewSlot],
    },
    Rule {
        from: S::Confirmed,
        action: A::Complete,
        to: S::Completed,
        who: Who::Staff,
        requires: &[R::InThePast],
    },
    Rule {
        from: S::Confirmed,
        action: A::MarkNoShow,
        to: S::NoShow,
        who: Who::Staff,
        requires: &[R::InThePast],
    },
    Rule {
        from: S::CancellationRequested,
        action: A::ApproveCancellation,
        to: S::Cancelled,
        who: Who::Staff,
        requires: &[],
    },
    Rule {
        from: S::CancellationRequested,
        action: A::DeclineCancellation,
        to: S::Confirmed,
        who: Who::Staff,
        requires: &[R::Reason],
    },
    Rule {
        from: S::CancellationRequested,
        action: A::ProposeTime,
        to: S::Proposed,
        who: Who::Staff,
        requires: &[R::Reason, R::Note, R::NewSlot],
    },
    Rule {
        from: S::RescheduleRequested,
        action: A::ApproveReschedule,
        to: S::Confirmed,
        who: Who::Staff,
        requires: &[],
    },
    Rule {
        from: S::RescheduleRequested,
        action: A::DeclineReschedule,
        to: S::Confirmed,
        who: Who::Staff,
        requires: &[R::Reason],
    },
    Rule {
        from: S::Proposed,
        action: A::AcceptProposal,
        to: S::Confirmed,
        who: Who::PatientSide,
        requires: &[],
    },
    Rule {
        from: S::Proposed,
        action: A::RejectProposal,
        to: S::Cancelled,
        who: Who::PatientSide,
        requires: &[],
    },
];

/// Why a transition was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The action does not apply to the appointment's current state.
    NotFromThisState,
    /// The action exists here, but not for this actor.
    NotYours,
    /// A requirement is missing.
    Missing(Requirement),
}

/// What the caller supplies with an action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Supplied {
    pub reason: bool,
    pub new_slot: bool,
    pub note: bool,
    pub in_the_past: bool,
}

fn rule(from: State, action: Action) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.from == from && r.action == action)
}

fn allowed(who: Who, actor: Actor) -> bool {
    match who {
        Who::PatientSide => actor.is_patient_side(),
        Who::Staff => actor.is_staff(),
    }
}

/// The state `action` leads to from `from`, if `actor` may take it with what was `supplied`.
pub fn transition(
    from: State,
    action: Action,
    actor: Actor,
    supplied: Supplied,
) -> Result<State, Refusal> {
    let r = rule(from, action).ok_or(Refusal::NotFromThisState)?;
    if !allowed(r.who, actor) {
        return Err(Refusal::NotYours);
    }
    for req in r.requires {
        let ok = match req {
            R::Reason => supplied.reason,
            R::NewSlot => supplied.new_slot,
            R::Note => supplied.note,
            R::InThePast => supplied.in_the_past,
        };
        if !ok {
            return Err(Refusal::Missing(*req));
        }
    }
    Ok(r.to)
}

/// The actions `actor` may take from `from` (requirements aside): what to offer on screen.
pub fn actions_for(from: State, actor: Actor) -> Vec<Action> {
    RULES
        .iter()
        .filter(|r| r.from == from && allowed(r.who, actor))
        .map(|r| r.action)
        .collect()
}

/// What `action` from `from` requires.
pub fn requirements(from: State, action: Action) -> &'static [Requirement] {
    rule(from, action).map(|r| r.requires).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERYTHING: Supplied = Supplied {
        reason: true,
        new_slot: true,
        note: true,
        in_the_past: true,
    };
    const PATIENT_SIDE: [Actor; 2] = [Actor::Patient, Actor::Representative];
    const STAFF: [Actor; 3] = [
        Actor::Staff(StaffRole::Admin),
        Actor::Staff(StaffRole::Provider),
        Actor::Staff(StaffRole::FrontDesk),
    ];
    const ALL_ACTIONS: [Action; 15] = [
        A::CancelRequest,
        A::ChangeRequestedTime,
        A::Confirm,
        A::Decline,
        A::RequestCancellation,
        A::RequestReschedule,
        A::ProposeTime,
        A::ApproveCancellation,
        A::DeclineCancellation,
        A::ApproveReschedule,
        A::DeclineReschedule,
        A::AcceptProposal,
        A::RejectProposal,
        A::Complete,
        A::MarkNoShow,
    ];

    /// The SPEC §2.1 diagram, written out independently of `RULES`.
    const EXPECTED: &[(State, Action, State, bool)] = &[
        // (from, action, to, by the patient side? otherwise staff)
        (S::Requested, A::CancelRequest, S::Cancelled, true),
        (S::Requested, A::ChangeRequestedTime, S::Requested, true),
        (S::Requested, A::Confirm, S::Confirmed, false),
        (S::Requested, A::Decline, S::Declined, false),
        (
            S::Confirmed,
            A::RequestCancellation,
            S::CancellationRequested,
            true,
        ),
        (
            S::Confirmed,
            A::RequestReschedule,
            S::RescheduleRequested,
            true,
        ),
        (S::Confirmed, A::ProposeTime, S::Proposed, false),
        (S::Confirmed, A::Complete, S::Completed, false),
        (S::Confirmed, A::MarkNoShow, S::NoShow, false),
        (
            S::CancellationRequested,
            A::ApproveCancellation,
            S::Cancelled,
            false,
        ),
        (
            S::CancellationRequested,
            A::DeclineCancellation,
            S::Confirmed,
            false,
        ),
        (S::CancellationRequested, A::ProposeTime, S::Proposed, false),
        (
            S::RescheduleRequested,
            A::ApproveReschedule,
            S::Confirmed,
            false,
        ),
        (
            S::RescheduleRequested,
            A::DeclineReschedule,
            S::Confirmed,
            false,
        ),
        (S::Proposed, A::AcceptProposal, S::Confirmed, true),
        (S::Proposed, A::RejectProposal, S::Cancelled, true),
    ];

    #[test]
    fn every_state_and_action_pair_is_allowed_exactly_as_the_spec_says() {
        for from in State::ALL {
            for action in ALL_ACTIONS {
                let expected = EXPECTED
                    .iter()
                    .find(|(f, a, _, _)| *f == from && *a == action);
                for actor in PATIENT_SIDE.into_iter().chain(STAFF).chain([Actor::System]) {
                    let got = transition(from, action, actor, EVERYTHING);
                    match expected {
                        None => {
                            assert_eq!(got, Err(Refusal::NotFromThisState), "{from:?} {action:?}")
                        }
                        Some((_, _, to, patient_side)) => {
                            let mine = if *patient_side {
                                actor.is_patient_side()
                            } else {
                                actor.is_staff()
                            };
                            if mine {
                                assert_eq!(got, Ok(*to), "{from:?} {action:?} by {actor:?}");
                            } else {
                                assert_eq!(
                                    got,
                                    Err(Refusal::NotYours),
                                    "{from:?} {action:?} by {actor:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn final_states_have_no_way_out() {
        for from in State::ALL.into_iter().filter(|s| s.is_final()) {
            for actor in PATIENT_SIDE.into_iter().chain(STAFF) {
                assert!(actions_for(from, actor).is_empty(), "{from:?}");
            }
        }
    }

    #[test]
    fn requirements_are_enforced() {
        let patient = Actor::Patient;
        let desk = Actor::Staff(StaffRole::FrontDesk);
        assert_eq!(
            transition(
                S::Confirmed,
                A::RequestCancellation,
                patient,
                Supplied::default()
            ),
            Err(Refusal::Missing(R::Reason))
        );
        assert_eq!(
            transition(
                S::Confirmed,
                A::RequestReschedule,
                patient,
                Supplied::default()
            ),
            Err(Refusal::Missing(R::NewSlot))
        );
        let reason_only = Supplied {
            reason: true,
            ..Supplied::default()
        };
        assert_eq!(
            transition(S::Confirmed, A::ProposeTime, desk, reason_only),
            Err(Refusal::Missing(R::Note))
        );
        assert_eq!(
            transition(S::Requested, A::Decline, desk, Supplied::default()),
            Err(Refusal::Missing(R::Reason))
        );
        assert_eq!(
            transition(S::Confirmed, A::Complete, desk, Supplied::default()),
            Err(Refusal::Missing(R::InThePast))
        );
        assert_eq!(
            transition(S::Requested, A::CancelRequest, patient, Supplied::default()),
            Ok(S::Cancelled),
            "a pending request cancels at once, no reason needed"
        );
    }

    #[test]
    fn open_requests_keep_the_slot() {
        assert!(S::CancellationRequested.holds_slot());
        assert!(S::RescheduleRequested.holds_slot());
        assert!(S::Proposed.holds_slot());
        assert!(!S::Cancelled.holds_slot());
        assert!(!S::Declined.holds_slot());
    }

    #[test]
    fn states_round_trip_and_read_as_patients_know_them() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::Proposed.label(), "Tentative");
        assert_eq!(S::Requested.label(), "Pending");
        assert_eq!(S::Cancelled.label(), "Canceled");
    }

    #[test]
    fn screens_offer_what_the_actor_may_do() {
        assert_eq!(
            actions_for(S::Confirmed, Actor::Representative),
            vec![A::RequestCancellation, A::RequestReschedule]
        );
        assert_eq!(
            actions_for(S::Proposed, Actor::Patient),
            vec![A::AcceptProposal, A::RejectProposal]
        );
        assert!(actions_for(S::Proposed, Actor::Staff(StaffRole::Admin)).is_empty());
        assert_eq!(
            requirements(S::Confirmed, A::ProposeTime),
            &[R::Reason, R::Note, R::NewSlot]
        );
    }
}
