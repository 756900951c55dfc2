//! The typed event parsed from a verified payload.

use crate::error::{Error, Result};
use crate::json::{self, Found, Key, Keys};
use crate::key::{BodyIds, IdempotencyKey};
use crate::signed::Signed;
use crate::spec::{IdSource, Scheme};

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
            None if scheme == Scheme::TRIGGER => EventKind::Legacy,
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
    /// The key over the signed content when `idempotency_key` comes from an unsigned delivery
    /// id; see [`Verified::replay_key`](crate::Verified::replay_key).
    pub replay_key: Option<IdempotencyKey>,
}

/// A key of the envelope: the top-level object.
#[derive(Clone, Copy)]
enum Envelope {
    Id,
    Created,
    Type,
    WebhookVersion,
    EventId,
    Object,
}

/// The envelope's keys, in the order of [`Envelope`].
const ENVELOPE: [(Envelope, &str); 6] = [
    (Envelope::Id, "id"),
    (Envelope::Created, "created"),
    (Envelope::Type, "type"),
    (Envelope::WebhookVersion, "webhookVersion"),
    (Envelope::EventId, "event_id"),
    (Envelope::Object, "object"),
];

/// A key of a section (run, task, deployment, environment, project, error). Sections sit in
/// two places: inside `object` (Trigger.dev's alert envelope, read first) and at the top
/// level (run lifecycle events and the legacy flat body).
#[derive(Clone, Copy)]
enum Section {
    Run,
    RunId,
    RunStatus,
    RunNumber,
    RunError,
    RunErrorMessage,
    RunErrorRaw,
    Task,
    TaskId,
    Deployment,
    DeploymentId,
    DeploymentStatus,
    DeploymentVersion,
    Environment,
    EnvironmentType,
    EnvironmentSlug,
    Project,
    ProjectRef,
    Error,
    ErrorMessage,
}

/// The sections' keys, in the order of [`Section`]: each with the key whose object holds it
/// (`None`: the place the sections sit).
const SECTIONS: [(Section, Option<Section>, &str); 20] = [
    (Section::Run, None, "run"),
    (Section::RunId, Some(Section::Run), "id"),
    (Section::RunStatus, Some(Section::Run), "status"),
    (Section::RunNumber, Some(Section::Run), "number"),
    (Section::RunError, Some(Section::Run), "error"),
    (Section::RunErrorMessage, Some(Section::RunError), "message"),
    (Section::RunErrorRaw, Some(Section::RunError), "raw"),
    (Section::Task, None, "task"),
    (Section::TaskId, Some(Section::Task), "id"),
    (Section::Deployment, None, "deployment"),
    (Section::DeploymentId, Some(Section::Deployment), "id"),
    (Section::DeploymentStatus, Some(Section::Deployment), "status"),
    (Section::DeploymentVersion, Some(Section::Deployment), "version"),
    (Section::Environment, None, "environment"),
    (Section::EnvironmentType, Some(Section::Environment), "type"),
    (Section::EnvironmentSlug, Some(Section::Environment), "slug"),
    (Section::Project, None, "project"),
    (Section::ProjectRef, Some(Section::Project), "ref"),
    (Section::Error, None, "error"),
    (Section::ErrorMessage, Some(Section::Error), "message"),
];

/// Where the sections sit, in the order they are read.
#[derive(Clone, Copy)]
enum Place {
    Object,
    Top,
}

const PLACES: [Place; 2] = [Place::Object, Place::Top];

impl Envelope {
    const fn index(self) -> usize {
        self as usize
    }
}

impl Place {
    /// Where `field`, in this place, is in [`KEYS`]: after the envelope, one copy of the
    /// sections per place.
    const fn index(self, field: Section) -> usize {
        ENVELOPE.len() + self as usize * SECTIONS.len() + field as usize
    }

    /// The key whose object holds this place's sections (`None`: the top level).
    const fn parent(self) -> Option<u8> {
        match self {
            Place::Object => Some(Envelope::Object.index() as u8),
            Place::Top => None,
        }
    }
}

const KEY_COUNT: usize = ENVELOPE.len() + PLACES.len() * SECTIONS.len();

/// Every key hookguard reads, as the JSON reader takes them: the envelope, then the
/// sections once per place.
const KEYS: Keys<KEY_COUNT> = Keys::new(keys());

// Runs only at compile time: an index out of bounds would fail the build, never a request.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
const fn keys() -> [Key; KEY_COUNT] {
    let mut out = [Key { parent: None, name: "" }; KEY_COUNT];
    let mut i = 0;
    while i < ENVELOPE.len() {
        let (key, name) = ENVELOPE[i];
        assert!(key.index() == i, "ENVELOPE is in the order of Envelope");
        out[i] = Key { parent: None, name };
        i += 1;
    }
    let mut p = 0;
    while p < PLACES.len() {
        let place = PLACES[p];
        let mut j = 0;
        while j < SECTIONS.len() {
            let (key, parent, name) = SECTIONS[j];
            assert!(key as usize == j, "SECTIONS is in the order of Section");
            let parent = match parent {
                Some(parent) => Some(place.index(parent) as u8),
                None => place.parent(),
            };
            out[place.index(key)] = Key { parent, name };
            j += 1;
        }
        p += 1;
    }
    out
}

/// Reads a body with the keys hookguard reads.
fn read(body: &[u8], found: &mut Found<KEY_COUNT>) -> Result<()> {
    json::read(body, &KEYS, found)
}

/// The ids a key can come from, in what reading the body found: the spec's id field from the
/// envelope's keys, or (a field of a custom scheme's) from a read of its own.
fn body_ids<'a>(found: &Found<KEY_COUNT>, signed: &Signed<'a>) -> BodyIds<'a> {
    let body = signed.body;
    let id = match signed.scheme.spec().delivery_id {
        Some(IdSource::Body(name)) => match ENVELOPE.iter().find(|(_, n)| *n == name) {
            Some((key, _)) => found.raw(key.index(), body),
            None => json::field(body, name).ok().flatten(),
        },
        _ => None,
    };
    // The field that does not change on a retry: a value of the envelope's, any kind.
    let unchanging = signed.scheme.spec().retried_by_content.and_then(|r| {
        let (key, _) = ENVELOPE.iter().find(|(_, n)| *n == r.field)?;
        found.container(key.index(), body).or_else(|| found.raw(key.index(), body))
    });
    BodyIds { event_type: found.raw(Envelope::Type.index(), body), id, unchanging }
}

/// The key to deduplicate a verified delivery by: from the body's ids where it is JSON
/// hookguard can read, otherwise from the headers or the content.
pub(crate) fn idempotency_key(signed: &Signed<'_>) -> IdempotencyKey {
    let mut found = Found::EMPTY;
    let ids = read(signed.body, &mut found).map(|()| body_ids(&found, signed)).unwrap_or_default();
    IdempotencyKey::for_request(signed, &ids)
}

impl<'a> Event<'a> {
    pub(crate) fn parse(signed: &Signed<'a>, scratch: &'a mut [u8]) -> Result<Self> {
        let body = signed.body;
        let mut found = Found::EMPTY;
        read(body, &mut found)?;
        let mut texts = Texts { found: &found, body, body_text: core::str::from_utf8(body).ok(), scratch };
        texts.reserve()?;
        let body_type = texts.text(Envelope::Type.index());
        let event_type = body_type.or(signed.topic());
        let run_number = PLACES
            .iter()
            .find_map(|&place| found.number(place.index(Section::RunNumber), body)?.parse().ok());
        let created =
            texts.text(Envelope::Created.index()).or_else(|| found.number(Envelope::Created.index(), body));
        Ok(Event {
            // Only the signed body names a kind: a type header is not signed.
            kind: match (body_type, signed.topic) {
                (None, Some(_)) => EventKind::Other,
                _ => EventKind::from_type(signed.scheme, body_type),
            },
            event_type,
            id: texts.text(Envelope::Id.index()).or_else(|| texts.text(Envelope::EventId.index())),
            created,
            webhook_version: texts.text(Envelope::WebhookVersion.index()),
            delivery_id: signed.delivery_id(),
            run_id: texts.section(Section::RunId),
            run_status: texts.section(Section::RunStatus),
            run_number,
            task_id: texts.section(Section::TaskId),
            deployment_id: texts.section(Section::DeploymentId),
            deployment_status: texts.section(Section::DeploymentStatus),
            deployment_version: texts.section(Section::DeploymentVersion),
            environment_type: texts.section(Section::EnvironmentType),
            environment_slug: texts.section(Section::EnvironmentSlug),
            project_ref: texts.section(Section::ProjectRef),
            error_message: texts.first_of(&[
                Section::ErrorMessage,
                Section::RunErrorMessage,
                Section::RunErrorRaw,
            ]),
            idempotency_key: IdempotencyKey::for_request(signed, &body_ids(&found, signed)),
            replay_key: IdempotencyKey::replay(signed),
        })
    }
}

/// Hands out the text of string values: borrowed from the body when it needs no decoding,
/// otherwise decoded into the next unused part of the scratch buffer.
struct Texts<'f, 'a> {
    found: &'f Found<KEY_COUNT>,
    body: &'a [u8],
    /// The whole body, when it is UTF-8 (nearly always): strings without escapes are sliced
    /// from it, with one check of the body instead of one per string.
    body_text: Option<&'a str>,
    scratch: &'a mut [u8],
}

impl<'a> Texts<'_, 'a> {
    /// Checks, before writing anything, that the scratch can hold every decoded string.
    fn reserve(&self) -> Result<()> {
        let needed: usize = self
            .found
            .strings(self.body)
            .filter(|&(raw, escaped)| {
                escaped || (self.body_text.is_none() && core::str::from_utf8(raw).is_err())
            })
            .map(|(raw, _)| json::decoded_len(raw))
            .sum();
        if needed > self.scratch.len() {
            return Err(Error::ScratchTooSmall { needed });
        }
        Ok(())
    }

    /// A section's field: inside `object` first, then at the top level.
    fn section(&mut self, field: Section) -> Option<&'a str> {
        self.first_of(&[field])
    }

    /// The first of a section's `fields` present, inside `object` first, then at the top level.
    fn first_of(&mut self, fields: &[Section]) -> Option<&'a str> {
        for place in PLACES {
            for &field in fields {
                if let Some(text) = self.text(place.index(field)) {
                    return Some(text);
                }
            }
        }
        None
    }

    fn text(&mut self, key: usize) -> Option<&'a str> {
        let (range, escaped) = self.found.string_span(key)?;
        let raw = self.body.get(range.clone())?;
        if !escaped {
            let plain = match self.body_text {
                Some(text) => text.get(range),
                None => core::str::from_utf8(raw).ok(),
            };
            if plain.is_some() {
                return plain;
            }
        }
        let (out, rest) = core::mem::take(&mut self.scratch).split_at_mut_checked(json::decoded_len(raw))?;
        self.scratch = rest;
        json::decode_into(raw, out)?;
        let out: &'a [u8] = out;
        core::str::from_utf8(out).ok()
    }
}
