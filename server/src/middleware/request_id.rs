use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

/// Random request ids, returned in `x-request-id` and attached to every log line of a request.
#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&app::ssr::token::random_hex(8))
            .ok()
            .map(RequestId::new)
    }
}
