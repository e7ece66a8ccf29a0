//! Plain HTTP: the health check, and the built web app with a cache policy that lets the
//! service worker see new versions.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppError;
use crate::state::AppState;

/// `GET /healthz`: the process is up and serving.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// Answers 503 instead of a bare 404 while the dist directory has no app in it.
pub(crate) async fn require_built_app(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    // Checked per request, not at startup, so building the app while the relay runs is
    // enough; one `stat` of a local file costs next to nothing.
    let index = state.dist_dir().join("index.html");
    if !index.is_file() {
        return Err(AppError::AppNotBuilt { dist: state.dist_dir().to_path_buf() });
    }
    Ok(next.run(request).await)
}

/// Marks the app shell and the service worker `no-cache`, so browsers revalidate them on
/// every load and an update reaches devices; other assets keep the default caching.
pub(crate) async fn cache_policy(request: Request, next: Next) -> Response {
    let is_service_worker = request.uri().path() == "/sw.js";
    let mut response = next.run(request).await;
    // Client-side routes are answered with index.html too, so the content type, not the
    // path, says whether this is the app shell.
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_service_worker || is_html {
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}
