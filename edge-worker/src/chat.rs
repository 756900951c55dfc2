//! The short human summary a chat destination posts, made from a verified event: for a
//! failed run, the task, run number, environment, error message and the run's dashboard link.

use hookguard::{Event, EventKind};
use serde_json::Value;

/// The body of a chat message (`{"text": ...}`, Slack's incoming-webhook shape) of `text`,
/// with `&`, `<` and `>` escaped as Slack asks, and a word joiner (U+2060, unseen) after each
/// `@` and each `]`: text from an event (an error message a task's user wrote) must not become
/// a `<!channel>` mention or a disguised `<url|label>` link in Slack, nor an `@channel`, an
/// `@all`, a Markdown link (`[label](url)`, `[label][ref]`, `[ref]: url`) or an image that
/// loads by itself (`![](url)`) in Mattermost, Rocket.Chat or Discord.
pub fn message(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('@', "@\u{2060}")
        .replace(']', "]\u{2060}");
    serde_json::json!({ "text": escaped }).to_string()
}

/// How long a chat message may get; longer error messages are cut.
const MAX_TEXT: usize = 600;
/// The most a summary keeps, in bytes, whatever the event's fields hold: it is stored beside
/// the body, in a row of at most 2 MB.
const MAX_SUMMARY: usize = 4096;

/// One line per event kind: a headline, then details where the event has them.
pub fn summary(scheme: &str, event: &Event<'_>, body: &[u8]) -> String {
    let task = event.task_id.unwrap_or("a task");
    let run = event.run_number.map(|n| format!(" run #{n}")).unwrap_or_default();
    let env = event.environment_slug.map(|e| format!(" ({e})")).unwrap_or_default();
    let version = event.deployment_version.unwrap_or("?");
    let headline = match event.kind {
        EventKind::AlertRunFailed | EventKind::RunFailed => format!("Run failed: {task}{run}{env}"),
        EventKind::RunCompleted => format!("Run completed: {task}{run}{env}"),
        EventKind::RunCanceled => format!("Run canceled: {task}{run}{env}"),
        EventKind::RunStarted => format!("Run started: {task}{run}{env}"),
        EventKind::RunReattempting => format!("Run retrying: {task}{run}{env}"),
        EventKind::AlertDeploymentFailed => format!("Deployment {version} failed{env}"),
        EventKind::AlertDeploymentSuccess => format!("Deployment {version} succeeded{env}"),
        EventKind::AlertError => format!("Error in {task}{env}"),
        _ => format!("{} event from {scheme}", event.event_type.unwrap_or("an untyped")),
    };
    let mut text = headline;
    if let Some(message) = event.error_message {
        text.push_str(": ");
        text.extend(message.chars().take(MAX_TEXT));
    }
    if let Some(link) = dashboard_link(body) {
        text.push('\n');
        text.push_str(&link);
    }
    text.truncate(text.floor_char_boundary(MAX_SUMMARY));
    text
}

/// Trigger.dev's link to the run (`object.run.dashboardUrl`) or the error
/// (`object.dashboardUrl`), if the payload has one and it is an https link.
fn dashboard_link(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let object = &value["object"];
    let link = object["run"]["dashboardUrl"].as_str().or_else(|| object["dashboardUrl"].as_str())?;
    link.starts_with("https://").then(|| link.to_string())
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn event_text_cannot_mention_or_link() {
        assert_eq!(
            message("Invalid name: <!channel> <https://evil.example|Open run> & more"),
            r#"{"text":"Invalid name: &lt;!channel&gt; &lt;https://evil.example|Open run&gt; &amp; more"}"#
        );
        assert_eq!(
            message("ping @channel and @all"),
            "{\"text\":\"ping @\u{2060}channel and @\u{2060}all\"}"
        );
        // Markdown: no `](`, `][` or `]:` is left for a link, an image or a reference.
        let markdown = message(
            "[Open run](https://evil.example) ![x](https://t.example/p.png) [a][1]\n[1]: https://evil",
        );
        for link in ["](", "][", "]:"] {
            assert!(!markdown.contains(link), "{markdown}");
        }
        assert_eq!(markdown.matches("]\u{2060}").count(), 5, "{markdown}");
    }
}
