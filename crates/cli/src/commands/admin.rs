//! `cairn admin …`: what an operator does without the web interface.
//! Passwords come from standard input (first line), never from arguments,
//! which other users of the machine could see in the process list.

use std::io::BufRead;
use std::process::ExitCode;

use cairn_domain::membership::{Capabilities, Capability, MemberStatus};
use cairn_domain::people::{Email, NewPassword};
use cairn_domain::{Name, OrgSlug};
use cairn_store::{StoreError, members, orgs, people};

use super::{now, open};
use crate::AdminCommand;
use crate::settings::Settings;

const INPUT_ERROR: u8 = 2;

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("cairn admin: {message}");
    ExitCode::from(INPUT_ERROR)
}

fn read_password() -> Result<NewPassword, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let line = line.trim_end_matches(['\r', '\n']);
    NewPassword::parse(line).map_err(|e| e.to_string())
}

pub async fn run(settings: &Settings, cmd: AdminCommand) -> ExitCode {
    match cmd {
        AdminCommand::CreateUser { email, name } => {
            create_user(settings, &email, name.as_deref()).await
        }
        AdminCommand::ResetPassword { email } => reset_password(settings, &email).await,
        AdminCommand::Grant {
            org,
            email,
            capability,
        } => grant(settings, &org, &email, &capability).await,
        AdminCommand::Session { emails, days } => sessions(settings, &emails, days).await,
        AdminCommand::RotateCredentialKey { org } => rotate_credential_key(settings, &org).await,
    }
}

async fn rotate_credential_key(settings: &Settings, org: &str) -> ExitCode {
    let Some(setting) = settings.credential_key.as_deref() else {
        return fail("credential_key is not set: there is nothing to sign with");
    };
    let slug = match OrgSlug::parse(org) {
        Ok(s) => s,
        Err(e) => return fail(format!("{org:?}: {e}")),
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let sealer = cairn_web::credentials::Sealer::new(setting);
    let done = async {
        let org = orgs::by_slug(&store, &slug)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no organization {slug}"))?;
        let (public, sealed) = cairn_web::credentials::new_key(&sealer)?;
        cairn_store::credentials::add_key(&store, &org.id, &public, &sealed, true, now())
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    store.close().await;
    match done {
        Ok(key) => {
            println!(
                "{slug} signs credentials with key {} from now on; earlier keys stay published",
                key.number
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

async fn sessions(settings: &Settings, emails: &[String], days: u16) -> ExitCode {
    let mut parsed = Vec::with_capacity(emails.len());
    for e in emails {
        match Email::parse(e) {
            Ok(e) => parsed.push(e),
            Err(err) => return fail(format!("{e}: {err}")),
        }
    }
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let client = people::Client {
        user_agent: "cairn admin".into(),
        ip: String::new(),
    };
    let result = async {
        // Every account is checked before any session starts: a typo
        // leaves nothing behind.
        let mut found = Vec::with_capacity(parsed.len());
        for email in &parsed {
            match people::by_email(&store, email).await? {
                Some((person, _)) => found.push(person),
                None => return Ok(Err(format!("no account {email}"))),
            }
        }
        let mut cookies = Vec::with_capacity(found.len());
        for person in &found {
            let token =
                cairn_web::secrets::new_secret("").map_err(|e| StoreError::Other(e.to_string()))?;
            let at = now();
            let expires = at + i64::from(days) * 24 * 3600 * 1000;
            let hash = cairn_web::secrets::hash(&token);
            people::start_session(&store, &hash, &person.id, &client, at, expires).await?;
            cookies.push(format!("{}={token}", cairn_web::auth::SESSION_COOKIE));
        }
        Ok::<_, StoreError>(Ok(cookies))
    }
    .await;
    store.close().await;
    match result {
        Ok(Ok(cookies)) => {
            for c in cookies {
                println!("{c}");
            }
            ExitCode::SUCCESS
        }
        Ok(Err(message)) => fail(message),
        Err(e) => {
            eprintln!("cairn admin: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn create_user(settings: &Settings, email: &str, name: Option<&str>) -> ExitCode {
    let email = match Email::parse(email) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let default_name = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or_default()
        .to_owned();
    let name = match Name::parse(name.unwrap_or(&default_name), "the name") {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let hash = match cairn_web::password::hash(&password).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("cairn admin: cannot hash the password: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = people::create(&store, &email, &name, &hash, now()).await;
    store.close().await;
    match result {
        Ok(_) => {
            println!("created {email}");
            ExitCode::SUCCESS
        }
        Err(StoreError::Conflict(_)) => fail(format!("{email} already has an account")),
        Err(e) => {
            eprintln!("cairn admin: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn reset_password(settings: &Settings, email: &str) -> ExitCode {
    let email = match Email::parse(email) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = async {
        let Some((person, _)) = people::by_email(&store, &email).await? else {
            return Ok(None);
        };
        let hash = cairn_web::password::hash(&password)
            .await
            .map_err(StoreError::Other)?;
        people::set_password(&store, &person.id, &hash, false, now()).await?;
        Ok::<_, StoreError>(Some(()))
    }
    .await;
    store.close().await;
    match result {
        Ok(Some(())) => {
            println!("password of {email} reset; all their sessions ended");
            ExitCode::SUCCESS
        }
        Ok(None) => fail(format!("no account {email}")),
        Err(e) => {
            eprintln!("cairn admin: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn grant(settings: &Settings, org: &str, email: &str, capability: &str) -> ExitCode {
    let slug = match OrgSlug::parse(org) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let email = match Email::parse(email) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let cap = match capability {
        "member" => None,
        other => match Capability::parse(other) {
            Some(c) => Some(c),
            None => {
                return fail(format!(
                    "unknown capability {other:?}: use owner, admin, framework-editor, people-lead or member"
                ));
            }
        },
    };
    let store = match open(settings).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = async {
        let Some(org) = orgs::by_slug(&store, &slug).await? else {
            return Ok(Err(format!("no organization {slug}")));
        };
        let Some((person, _)) = people::by_email(&store, &email).await? else {
            return Ok(Err(format!("no account {email}")));
        };
        let current = members::membership(&store, &org.id, &person.id).await?;
        let caps = match (&current, cap) {
            (Some((caps, _)), Some(c)) => caps.with(c),
            (Some((caps, _)), None) => *caps,
            (None, Some(c)) => Capabilities::NONE.with(c),
            (None, None) => Capabilities::NONE,
        };
        members::add(&store, &org.id, &person.id, caps, now()).await?;
        members::set_capabilities(&store, &org.id, &person.id, caps).await?;
        if matches!(current, Some((_, MemberStatus::Departed))) {
            members::set_status(&store, &org.id, &person.id, MemberStatus::Active, now()).await?;
        }
        let before = match current {
            None => "not a member".to_owned(),
            Some((caps, status)) => format!(
                "{} ({})",
                if caps.to_text().is_empty() {
                    "member".to_owned()
                } else {
                    caps.to_text()
                },
                if status == MemberStatus::Active {
                    "active"
                } else {
                    "departed"
                }
            ),
        };
        let entry = cairn_store::audit::Entry {
            org: Some(&org.id),
            actor: None,
            action: cairn_domain::audit::AuditAction::CapabilityGranted,
            subject: format!("{} <{}>", person.name, person.email),
            detail: format!(
                "{before} → {} (active), by the operator (cairn admin grant)",
                if caps.to_text().is_empty() {
                    "member".to_owned()
                } else {
                    caps.to_text()
                }
            ),
            client_ip: "",
        };
        cairn_store::audit::record(&store, &entry, now()).await?;
        Ok::<_, StoreError>(Ok(caps))
    }
    .await;
    store.close().await;
    match result {
        Ok(Ok(caps)) => {
            let list = caps.to_text();
            println!(
                "{email} is a member of {slug}{}",
                if list.is_empty() {
                    String::new()
                } else {
                    format!(" ({list})")
                }
            );
            ExitCode::SUCCESS
        }
        Ok(Err(message)) => fail(message),
        Err(e) => {
            eprintln!("cairn admin: {e}");
            ExitCode::FAILURE
        }
    }
}
