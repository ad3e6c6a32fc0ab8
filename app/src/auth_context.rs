//! The signed-in user and the actions that change it, shared by every page.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{
    api::auth::{get_current_user, KeepAlive, Login, Logout, SelectRecord, StaffLogin},
    error::AppError,
    model::CurrentUser,
};

pub type UserResource = Resource<Result<Option<CurrentUser>, AppError>>;

#[derive(Clone, Copy)]
pub struct Auth {
    pub user: UserResource,
    pub login: ServerAction<Login>,
    pub staff_login: ServerAction<StaffLogin>,
    pub logout: ServerAction<Logout>,
    pub select_record: ServerAction<SelectRecord>,
    pub keep_alive: ServerAction<KeepAlive>,
}

impl Auth {
    /// Create the actions and the user resource. The resource reloads on every navigation (which
    /// also counts as activity for the idle timeout) and after every auth action.
    pub fn provide() -> Auth {
        let login = ServerAction::<Login>::new();
        let staff_login = ServerAction::<StaffLogin>::new();
        let logout = ServerAction::<Logout>::new();
        let select_record = ServerAction::<SelectRecord>::new();
        let keep_alive = ServerAction::<KeepAlive>::new();
        let location = use_location();
        let user = Resource::new_blocking(
            move || {
                (
                    location.pathname.get(),
                    login.version().get(),
                    staff_login.version().get(),
                    logout.version().get(),
                    select_record.version().get(),
                    keep_alive.version().get(),
                )
            },
            |_| get_current_user(),
        );
        let auth = Auth {
            user,
            login,
            staff_login,
            logout,
            select_record,
            keep_alive,
        };
        provide_context(auth);
        auth
    }
}

pub fn use_auth() -> Auth {
    // Provided by `App` before any route renders.
    #[allow(clippy::expect_used)]
    use_context::<Auth>().expect("Auth is provided by App")
}
