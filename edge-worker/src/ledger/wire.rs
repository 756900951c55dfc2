//! What the Worker and the ledger objects say to each other (Rust objects cannot be called
//! over JS RPC, so each call is a `fetch`): JSON, except that `take` carries the raw body
//! after its JSON header, unencoded.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::Response;

/// A verified event, offered to the ledger.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Taking {
    pub key: String,
    pub scheme: String,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub run_id: Option<String>,
    /// What a chat destination posts, if any destination is a chat.
    pub summary: Option<String>,
}

/// `take`'s body: the header's length (4 bytes, big-endian), the header as JSON, the body.
pub fn join_take(taking: &Taking, body: &[u8]) -> Vec<u8> {
    let header = serde_json::to_vec(taking).unwrap_or_default();
    let length = u32::try_from(header.len()).unwrap_or(u32::MAX).to_be_bytes();
    [&length[..], &header, body].concat()
}

pub fn split_take(bytes: &[u8]) -> Option<(Taking, &[u8])> {
    let (length, rest) = bytes.split_first_chunk::<4>()?;
    let length = usize::try_from(u32::from_be_bytes(*length)).ok()?;
    let (header, body) = rest.split_at_checked(length)?;
    Some((serde_json::from_slice(header).ok()?, body))
}

/// A replay key offered for an event key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Replay {
    pub key: String,
    pub event_key: String,
}

/// Where a listing goes on from: the last row shown, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub received_at: u64,
    pub key: String,
    pub destination: String,
}

impl Cursor {
    /// Before every row.
    pub fn start() -> Self {
        Cursor { received_at: i64::MAX.unsigned_abs(), key: String::new(), destination: String::new() }
    }

    /// `{received_at}:{destination}:{key}` (a key may hold `:`; a destination name may not).
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, ':');
        let received_at = parts.next()?.parse().ok()?;
        let destination = parts.next()?.to_string();
        let key = parts.next()?.to_string();
        Some(Cursor { received_at, key, destination })
    }

    pub fn of(row: &Row) -> Self {
        Cursor {
            received_at: row.received_at,
            key: row.key.clone(),
            destination: row.destination.clone().unwrap_or_default(),
        }
    }

    pub fn text(&self) -> String {
        format!("{}:{}:{}", self.received_at, self.destination, self.key)
    }

    /// Newest first: later times, then greater keys and destinations.
    pub fn order(&self) -> (u64, &str, &str) {
        (self.received_at, &self.key, &self.destination)
    }
}

/// One delivery as listed: the event and one destination (none: recorded only).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub key: String,
    pub scheme: String,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub run_id: Option<String>,
    /// Unix milliseconds.
    pub received_at: u64,
    pub destination: Option<String>,
    /// `pending`, `delivered`, `failed`, or `recorded` (no destination).
    pub status: String,
    pub attempts: u32,
    pub next_at: Option<u64>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub last_duration_ms: Option<u64>,
    pub updated_at: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct List {
    pub status: Option<String>,
    pub destination: Option<String>,
    pub scheme: Option<String>,
    pub event_type: Option<String>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ByKey {
    pub key: String,
    /// Only this destination's delivery (replay); `None`: all of them.
    pub destination: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Since {
    pub since: u64,
}

/// A ledger object's answer: JSON, or a refusal by status (404 no such event, 409 no
/// destination, 410 body gone, 503 storage failed).
pub enum Answer {
    Ok(Value),
    Refused(u16),
}

impl Answer {
    pub fn response(self) -> worker::Result<Response> {
        match self {
            Answer::Ok(value) => Response::from_json(&value),
            Answer::Refused(status) => Ok(Response::empty()?.with_status(status)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cursor, Taking, join_take, split_take};

    #[test]
    fn take_carries_the_raw_body_after_its_header() {
        let taking = Taking { key: "trigger:evt_1".into(), scheme: "trigger".into(), ..Taking::default() };
        let body = [0xff, 0x00, b'{', 0xfe];
        let joined = join_take(&taking, &body);
        let (back, rest) = split_take(&joined).expect("splits");
        assert_eq!((back.key.as_str(), rest), ("trigger:evt_1", &body[..]));
        assert!(split_take(&joined[..3]).is_none());
        assert!(split_take(&[0, 0, 1, 0, b'{']).is_none());
    }

    #[test]
    fn cursors_round_trip_keys_with_colons() {
        let cursor =
            Cursor { received_at: 17, key: "trigger:sha256:ab".into(), destination: "origin".into() };
        assert_eq!(Cursor::parse(&cursor.text()), Some(cursor));
        assert_eq!(Cursor::parse("x:origin:k"), None);
        assert_eq!(Cursor::parse("12"), None);
    }
}
