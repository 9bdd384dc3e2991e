//! What a request that fails gets: a status and `{"detail": "..."}`, as
//! LlamaIndex's server answers, saying what is wrong.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use workflow_model::SendError;
use workflow_runtime::durable::{InputError, RecoverError};

/// A failed request: its status and what to tell the client.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    detail: String,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
        }
    }

    /// 400: the request is not what the route takes.
    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401: no token, or the wrong one.
    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "this server needs a bearer token: send `Authorization: Bearer <token>`",
        )
    }

    /// 404 for an unknown workflow.
    pub(crate) fn no_workflow(name: &str, known: &[&str]) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!(
                "Workflow not found: no workflow is named `{name}`; the workflows are: {}",
                known.join(", ")
            ),
        )
    }

    /// 404 for an unknown handler, in LlamaIndex's words.
    pub(crate) fn no_handler() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Handler not found")
    }

    /// 409: the run has ended.
    pub(crate) fn finished(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// 422: the request is well formed, but the run cannot take it.
    pub(crate) fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }

    /// 500: the server could not do what was asked, through no fault of
    /// the request.
    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }

    /// What the client is told.
    #[cfg(test)]
    pub(crate) fn detail(&self) -> &str {
        &self.detail
    }

    /// The status.
    #[cfg(test)]
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<SendError> for ApiError {
    fn from(error: SendError) -> Self {
        let status = match &error {
            SendError::RunEnded { .. } => StatusCode::CONFLICT,
            SendError::InboxFull { .. } => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::new(status, error.to_string())
    }
}

impl From<InputError> for ApiError {
    fn from(error: InputError) -> Self {
        match error {
            InputError::Send(error) => error.into(),
            InputError::Store(workflow_store::StoreError::Finished { .. }) => {
                Self::finished(format!("Workflow already completed: {error}"))
            }
            InputError::Store(workflow_store::StoreError::NotFound { .. }) => Self::no_handler(),
            other => Self::internal(other.to_string()),
        }
    }
}

impl From<RecoverError> for ApiError {
    fn from(error: RecoverError) -> Self {
        match error {
            RecoverError::Store(workflow_store::StoreError::NotFound { .. }) => Self::no_handler(),
            other => Self::internal(other.to_string()),
        }
    }
}

/// How much of an error's own text [`as_detail`] keeps.
const DETAIL_LIMIT: usize = 16 * 1024;

/// Gives an error that the framework answered itself (a body over the
/// limit, a path that is not UTF-8, a route that does not exist) the
/// `{"detail": "..."}` form of the others.
pub(crate) async fn as_detail(response: Response) -> Response {
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), DETAIL_LIMIT)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body).trim().to_owned();
    let detail = match text.is_empty() {
        true => status.canonical_reason().unwrap_or("error").to_owned(),
        false => text,
    };
    ApiError::new(status, detail).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "detail": self.detail });
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_that_fails_gets_the_status_of_why() {
        let ended: ApiError = SendError::RunEnded { event: "A" }.into();
        assert_eq!(ended.status(), StatusCode::CONFLICT);
        let full: ApiError = SendError::InboxFull {
            event: "A",
            limit: 1,
        }
        .into();
        assert_eq!(full.status(), StatusCode::TOO_MANY_REQUESTS);
        let not_input: ApiError = SendError::NotAnInput {
            event: "Nope".into(),
            inputs: vec!["HumanResponseEvent"],
        }
        .into();
        assert_eq!(not_input.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            not_input.detail(),
            "the workflow has no input event named `Nope`; its input events are: HumanResponseEvent"
        );
    }
}
