//! The typed event parsed from a verified payload.

use crate::json::{self, Field, Fields};
use crate::key::IdempotencyKey;
use crate::{Error, Result, Scheme, Verified};

/// What kind of event a payload is, by its `type`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// `alert.run.failed`
    AlertRunFailed,
    /// `alert.deployment.success`
    AlertDeploymentSuccess,
    /// `alert.deployment.failed`
    AlertDeploymentFailed,
    /// `alert.error`
    AlertError,
    /// `run.completed`
    RunCompleted,
    /// `run.failed`
    RunFailed,
    /// `run.canceled`
    RunCanceled,
    /// `run.started`
    RunStarted,
    /// `run.reattempting`
    RunReattempting,
    /// A Trigger.dev body without `type` (the flat "v1" alert body).
    Legacy,
    /// Any other event: its type, if it has one, is in [`Event::event_type`].
    Other,
}

impl EventKind {
    const NAMED: [(&'static str, EventKind); 9] = [
        ("alert.run.failed", EventKind::AlertRunFailed),
        ("alert.deployment.success", EventKind::AlertDeploymentSuccess),
        ("alert.deployment.failed", EventKind::AlertDeploymentFailed),
        ("alert.error", EventKind::AlertError),
        ("run.completed", EventKind::RunCompleted),
        ("run.failed", EventKind::RunFailed),
        ("run.canceled", EventKind::RunCanceled),
        ("run.started", EventKind::RunStarted),
        ("run.reattempting", EventKind::RunReattempting),
    ];

    /// The kind named by a payload's `type` (`None`: no `type`).
    #[must_use]
    pub fn from_type(scheme: Scheme, event_type: Option<&str>) -> EventKind {
        match event_type {
            None if scheme == Scheme::Trigger => EventKind::Legacy,
            None => EventKind::Other,
            Some(t) => EventKind::NAMED
                .iter()
                .find(|(name, _)| *name == t)
                .map_or(EventKind::Other, |(_, kind)| *kind),
        }
    }

    /// The `type` text of a named kind; `None` for [`EventKind::Legacy`] and [`EventKind::Other`].
    #[must_use]
    pub fn as_str(self) -> Option<&'static str> {
        EventKind::NAMED.iter().find(|(_, kind)| *kind == self).map(|(name, _)| *name)
    }
}

/// A verified payload's event: the fields hookguard reads, borrowed from the body (or from
/// the scratch buffer where a string needed unescaping). Absent fields are `None`; fields are
/// read from Trigger.dev's `object` envelope first, then from the top level.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Event<'a> {
    /// The kind, from `type`.
    pub kind: EventKind,
    /// The `type` text (for GitHub and Shopify, the `X-GitHub-Event` / `X-Shopify-Topic` header).
    pub event_type: Option<&'a str>,
    /// The event id: `id` (Slack: `event_id`).
    pub id: Option<&'a str>,
    /// `created`: an ISO-8601 string, or the digits of a Unix time (Stripe).
    pub created: Option<&'a str>,
    /// Trigger.dev's `webhookVersion`.
    pub webhook_version: Option<&'a str>,
    /// The provider's delivery id header, where it sends one.
    pub delivery_id: Option<&'a str>,
    /// `run.id`
    pub run_id: Option<&'a str>,
    /// `run.status` (`COMPLETED`, `FAILED`, ...)
    pub run_status: Option<&'a str>,
    /// `run.number`
    pub run_number: Option<u64>,
    /// `task.id`
    pub task_id: Option<&'a str>,
    /// `deployment.id`
    pub deployment_id: Option<&'a str>,
    /// `deployment.status`
    pub deployment_status: Option<&'a str>,
    /// `deployment.version`
    pub deployment_version: Option<&'a str>,
    /// `environment.type` (`PRODUCTION`, `STAGING`, `DEVELOPMENT`, `PREVIEW`)
    pub environment_type: Option<&'a str>,
    /// `environment.slug`
    pub environment_slug: Option<&'a str>,
    /// `project.ref`
    pub project_ref: Option<&'a str>,
    /// The error's message: `error.message`, else `run.error.message`, else `run.error.raw`.
    pub error_message: Option<&'a str>,
    /// The key to deduplicate this delivery by.
    pub idempotency_key: IdempotencyKey,
}

impl<'a> Event<'a> {
    pub(crate) fn parse<'v: 'a>(verified: &Verified<'v>, scratch: &'a mut [u8]) -> Result<Self> {
        let body = verified.body();
        let fields = json::scan(body)?;
        let mut texts = Texts { fields: &fields, body, scratch };
        texts.reserve()?;
        let pick = |texts: &mut Texts<'_, 'a>, options: &[Field]| options.iter().find_map(|&f| texts.text(f));
        let event_type = pick(&mut texts, &[Field::Type]).or(verified.topic());
        let number = [Field::ObjectRunNumber, Field::RunNumber]
            .into_iter()
            .find_map(|f| fields.number(f, body)?.parse().ok());
        let created = pick(&mut texts, &[Field::Created]).or_else(|| fields.number(Field::Created, body));
        Ok(Event {
            kind: EventKind::from_type(verified.scheme(), event_type),
            event_type,
            id: pick(&mut texts, &[Field::Id, Field::EventId]),
            created,
            webhook_version: pick(&mut texts, &[Field::WebhookVersion]),
            delivery_id: verified.delivery_id(),
            run_id: pick(&mut texts, &[Field::ObjectRunId, Field::RunId]),
            run_status: pick(&mut texts, &[Field::ObjectRunStatus, Field::RunStatus]),
            run_number: number,
            task_id: pick(&mut texts, &[Field::ObjectTaskId, Field::TaskId]),
            deployment_id: pick(&mut texts, &[Field::ObjectDeploymentId, Field::DeploymentId]),
            deployment_status: pick(&mut texts, &[Field::ObjectDeploymentStatus, Field::DeploymentStatus]),
            deployment_version: pick(&mut texts, &[Field::ObjectDeploymentVersion, Field::DeploymentVersion]),
            environment_type: pick(&mut texts, &[Field::ObjectEnvironmentType, Field::EnvironmentType]),
            environment_slug: pick(&mut texts, &[Field::ObjectEnvironmentSlug, Field::EnvironmentSlug]),
            project_ref: pick(&mut texts, &[Field::ObjectProjectRef, Field::ProjectRef]),
            error_message: pick(
                &mut texts,
                &[
                    Field::ObjectErrorMessage,
                    Field::ObjectRunErrorMessage,
                    Field::ObjectRunErrorRaw,
                    Field::ErrorMessage,
                    Field::RunErrorMessage,
                    Field::RunErrorRaw,
                ],
            ),
            idempotency_key: IdempotencyKey::for_request(verified, Some(&fields)),
        })
    }
}

/// Hands out the text of string fields: borrowed from the body when it needs no decoding,
/// otherwise decoded into the next unused part of the scratch buffer.
struct Texts<'f, 'a> {
    fields: &'f Fields,
    body: &'a [u8],
    scratch: &'a mut [u8],
}

impl<'a> Texts<'_, 'a> {
    /// Checks, before writing anything, that the scratch can hold every decoded string.
    fn reserve(&self) -> Result<()> {
        let needed: usize = json::ALL_FIELDS
            .iter()
            .filter_map(|&f| self.fields.raw(f, self.body))
            .filter(|raw| needs_decoding(raw))
            .map(|raw| {
                let mut len = 0;
                json::decode(raw, |part| len += part.len());
                len
            })
            .sum();
        if needed > self.scratch.len() {
            return Err(Error::ScratchTooSmall { needed });
        }
        Ok(())
    }

    fn text(&mut self, field: Field) -> Option<&'a str> {
        let raw = self.fields.raw(field, self.body)?;
        if !needs_decoding(raw) {
            return core::str::from_utf8(raw).ok();
        }
        let mut len = 0;
        json::decode(raw, |part| len += part.len());
        let (out, rest) = core::mem::take(&mut self.scratch).split_at_mut_checked(len)?;
        self.scratch = rest;
        let mut written = 0;
        json::decode(raw, |part| {
            if let Some(dst) = out.get_mut(written..written + part.len()) {
                dst.copy_from_slice(part);
                written += part.len();
            }
        });
        let out: &'a [u8] = out;
        core::str::from_utf8(out).ok()
    }
}

fn needs_decoding(raw: &[u8]) -> bool {
    raw.contains(&b'\\') || core::str::from_utf8(raw).is_err()
}
