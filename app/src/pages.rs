pub mod appointments;
pub mod coming_soon;
pub mod home;
pub mod not_found;
pub mod sign_in;
pub mod staff;
pub mod staff_home;
