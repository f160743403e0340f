//! Email over SMTP (lettre): a plain-text and an HTML body from templates,
//! every link absolute, headers that user text cannot break
//! (`cairn_domain::notify::header_text`), a stable `Message-ID` (the
//! delivery's id) and, on notifications, one-click unsubscribe (RFC 8058).

use std::time::Duration;

use askama::Template;
use cairn_domain::notify::header_text;
use cairn_store::deliveries::{self, Due, Target};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, header::Header};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{SendError, Smtp};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base: String,
    /// The host named in Message-IDs.
    host: String,
}

#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// What a message says, for both bodies.
pub struct Content {
    pub greeting: String,
    pub lead: String,
    pub note: String,
    pub action: String,
    pub link: String,
    pub lines: Vec<(String, String)>,
    pub after: String,
    pub unsubscribe: Option<String>,
    pub preferences: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/message.txt")]
struct Text<'a> {
    c: &'a Content,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct Html<'a> {
    c: &'a Content,
    subject: &'a str,
}

impl Mailer {
    pub fn new(smtp: &Smtp, base: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
            .map_err(|e| format!("smtp_url: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|e| format!("mail_from {:?}: {e}", smtp.from))?;
        let host = from.email.domain().to_owned();
        Ok(Mailer {
            transport,
            from,
            base: base.trim_end_matches('/').to_owned(),
            host,
        })
    }

    /// Sends one delivery; the SMTP server's answer on failure.
    pub async fn send(&self, d: &Due, unsubscribe: Option<String>) -> Result<(), SendError> {
        let message = self.message(d, unsubscribe)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            let message = format!("SMTP: {e}");
            if e.is_permanent() {
                SendError::permanent(message)
            } else {
                SendError::transient(message)
            }
        })
    }

    /// The message a delivery becomes (public for the tests of escaping).
    pub fn message(&self, d: &Due, unsubscribe: Option<String>) -> Result<Message, SendError> {
        let Target::Email { address, name } = &d.target else {
            return Err(SendError::permanent("not an email"));
        };
        let to_address = address
            .parse()
            .map_err(|e| SendError::permanent(format!("address {address:?}: {e}")))?;
        let name = header_text(name);
        let to = Mailbox::new((!name.is_empty()).then_some(name), to_address);
        let subject = header_text(&d.subject);
        let (text, html) = bodies(d, &self.base, unsubscribe.clone())?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@{}>", d.id, self.host)));
        if let Some(link) = unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{link}>")))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| SendError::permanent(format!("message: {e}")))
    }
}

/// The plain-text and HTML bodies of a delivery's email: user text as
/// written in the first, escaped in the second.
pub fn bodies(
    d: &Due,
    base: &str,
    unsubscribe: Option<String>,
) -> Result<(String, String), SendError> {
    let subject = header_text(&d.subject);
    let content = content(d, base, unsubscribe);
    let text = Text { c: &content }
        .render()
        .map_err(|e| SendError::permanent(format!("template: {e}")))?;
    let html = Html {
        c: &content,
        subject: &subject,
    }
    .render()
    .map_err(|e| SendError::permanent(format!("template: {e}")))?;
    Ok((text, html))
}

/// The words and links of a delivery's email.
pub fn content(d: &Due, base: &str, unsubscribe: Option<String>) -> Content {
    let base = base.trim_end_matches('/');
    let name = header_text(match &d.target {
        Target::Email { name, .. } => name,
        Target::Webhook { .. } => "",
    });
    let greeting = if name.is_empty() {
        "Hello,".to_owned()
    } else {
        format!("Hello {name},")
    };
    let secret = d.secret.clone().unwrap_or_default();
    let preferences = (!d.org_id.is_empty()).then(|| format!("{base}/settings/notifications"));
    let mut c = Content {
        greeting,
        lead: d.subject.clone(),
        note: String::new(),
        action: "Open it in cairn".into(),
        link: format!("{base}{}", d.href),
        lines: Vec::new(),
        after: String::new(),
        unsubscribe,
        preferences,
    };
    match d.kind.as_str() {
        deliveries::PASSWORD_RESET => {
            c.lead = "Someone asked to reset the password of your cairn account.".into();
            c.action = "Choose a new password".into();
            c.link = format!("{base}/forgot-password/{secret}");
            c.after = "The link works once, for an hour. If you did not ask, ignore this \
                       email: your password stays as it is."
                .into();
        }
        deliveries::INVITATION => {
            c.lead = format!("{}.", d.subject);
            c.note = d.body.clone();
            c.action = "Accept the invitation".into();
            c.link = format!("{base}/invite/{secret}");
            c.after = "The link works once. You may also copy it into your browser.".into();
        }
        deliveries::DIGEST => {
            c.lead = "What happened in cairn this week:".into();
            c.action = "Open your inbox".into();
            let lines: Vec<(String, String)> = serde_json::from_str(&d.body).unwrap_or_default();
            c.lines = lines
                .into_iter()
                .map(|(text, href)| (text, format!("{base}{href}")))
                .collect();
        }
        _ => {}
    }
    c
}
