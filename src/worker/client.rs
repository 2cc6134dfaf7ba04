//! The worker's HTTP client for the delivery endpoints: the same contract the OpenAPI document
//! describes, with the same request and response types.

use std::sync::Arc;
use std::time::Duration;

use crate::worker::contract::{ClaimRequest, ClaimResponse, Delivery, FailedRequest, ReleaseRequest, SentRequest};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the API is unreachable: {0}")]
    Unreachable(#[from] reqwest::Error),
    #[error("the API answered {status}: {body}")]
    Refused { status: u16, body: String },
}

/// Where the bearer token comes from: a fixed API token, or minted per call (in-process worker).
pub type TokenSource = Arc<dyn Fn() -> String + Send + Sync>;

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    token: TokenSource,
}

impl ApiClient {
    pub fn new(base: &str, token: TokenSource) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("backtrack-worker/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, base: base.trim_end_matches('/').to_string(), token })
    }

    async fn post<B: serde::Serialize>(&self, path: &str, body: &B) -> Result<reqwest::Response, ClientError> {
        let response =
            self.http.post(format!("{}{path}", self.base)).bearer_auth((self.token)()).json(body).send().await?;
        if response.status().is_success() {
            Ok(response)
        } else {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default().chars().take(500).collect();
            Err(ClientError::Refused { status, body })
        }
    }

    pub async fn claim(&self, max: usize, lease: Duration) -> Result<Vec<Delivery>, ClientError> {
        let request = ClaimRequest { max: max as i64, lease_seconds: lease.as_secs() as i64 };
        let response: ClaimResponse = self.post("/v1/worker/deliveries/claim", &request).await?.json().await?;
        Ok(response.deliveries)
    }

    pub async fn sent(&self, delivery: &Delivery) -> Result<(), ClientError> {
        let body = SentRequest { message_id: delivery.message_id.clone(), lease_id: delivery.lease_id.clone() };
        self.post(&format!("/v1/worker/deliveries/{}/sent", delivery.id), &body).await.map(|_| ())
    }

    pub async fn failed(&self, delivery: &Delivery, error: &str, permanent: bool) -> Result<(), ClientError> {
        let body = FailedRequest { error: error.to_string(), permanent, lease_id: delivery.lease_id.clone() };
        self.post(&format!("/v1/worker/deliveries/{}/failed", delivery.id), &body).await.map(|_| ())
    }

    pub async fn release(&self, delivery: &Delivery) -> Result<(), ClientError> {
        let body = ReleaseRequest { lease_id: delivery.lease_id.clone() };
        self.post(&format!("/v1/worker/deliveries/{}/release", delivery.id), &body).await.map(|_| ())
    }
}
