//! `/{org}/settings/people/import`: admins upload a people CSV (OurGruuv's
//! employee columns), see every change it would make, and apply it on
//! confirmation in one transaction. The preview carries the file back in
//! the confirming form, and applying plans it again against what is there
//! then, so what is applied is what the confirming page showed unless
//! something changed in between (the result page says what was done).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_domain::people_csv::{self, Plan};
use cairn_domain::policy::Action;
use cairn_store::people_import;

use crate::App;
use crate::auth::{ClientInfo, Visitor};
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::forms::{FormErrors, invalid};
use crate::html::{Chrome, OrgContext};
use crate::secrets;

/// One planned change, as the preview reads it.
pub(crate) struct Line {
    line: u64,
    text: String,
}

/// An invitation made, with its link (shown on this response only).
pub(crate) struct Made {
    line: u64,
    email: String,
    link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/import.html")]
pub(crate) struct ImportPage {
    chrome: Chrome,
    /// The file, carried into the confirming form.
    csv: String,
    changes: Vec<Line>,
    refused: Vec<Line>,
    new_teams: Vec<String>,
    previewed: bool,
    done: Option<String>,
    invited: Vec<Made>,
    errors: FormErrors,
}

fn page(ctx: &OrgContext, visitor: &Visitor) -> ImportPage {
    ImportPage {
        chrome: ctx.chrome(visitor),
        csv: String::new(),
        changes: Vec::new(),
        refused: Vec::new(),
        new_teams: Vec::new(),
        previewed: false,
        done: None,
        invited: Vec::new(),
        errors: FormErrors::default(),
    }
}

pub(crate) async fn form(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<ImportPage, PageError> {
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ManageMembers).await?;
    Ok(page(&ctx, &visitor))
}

/// Each planned row in words.
fn describe(plan: &Plan) -> Vec<Line> {
    plan.describe()
        .into_iter()
        .map(|(line, text)| Line { line, text })
        .collect()
}

/// The form's fields: the uploaded file (or pasted text) and whether to
/// apply.
async fn read_form(mut multipart: Multipart) -> Result<(String, bool), PageError> {
    let mut csv = String::new();
    let mut apply = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| PageError::BadRequest("The upload could not be read."))?
    {
        let name = field.name().unwrap_or("").to_owned();
        let text = field
            .text()
            .await
            .map_err(|_| PageError::BadRequest("The upload is not UTF-8 text."))?;
        match name.as_str() {
            "file" if !text.trim().is_empty() => csv = text,
            "csv" if csv.is_empty() => csv = text,
            "apply" => apply = text == "1",
            _ => {}
        }
    }
    Ok((csv, apply))
}

/// `POST`: preview the file, or (with `apply=1`) apply it.
pub(crate) async fn submit(
    State(app): State<App>,
    visitor: Visitor,
    ClientInfo(client): ClientInfo,
    OrgPath(org): OrgPath,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    // Who may import is decided before the body is read.
    let ctx = OrgContext::load(&app, &visitor, &org, Action::ManageMembers).await?;
    let me = ctx.member()?.id.clone();
    let multipart = Multipart::from_request(request, &()).await.map_err(|_| {
        PageError::BadRequest("Send the file as a form upload (multipart/form-data).")
    })?;
    let (csv, apply) = read_form(multipart).await?;
    let mut view = page(&ctx, &visitor);
    let rows = match people_csv::parse(&csv) {
        Ok(rows) if !rows.is_empty() => rows,
        Ok(_) => {
            view.errors.add("file", "The file has no people in it.");
            return Ok(invalid(view));
        }
        Err(problems) => {
            for p in problems {
                view.errors
                    .add("file", format!("Line {}: {}", p.line, p.message));
            }
            view.csv = csv;
            return Ok(invalid(view));
        }
    };
    let directory = people_import::directory(&app.store, &ctx.org).await?;
    let plan = people_csv::plan(&rows, &directory);
    view.changes = describe(&plan);
    view.refused = plan
        .refused
        .iter()
        .map(|(line, reason)| Line {
            line: *line,
            text: reason.clone(),
        })
        .collect();
    view.new_teams = plan
        .new_teams()
        .iter()
        .map(|(_, n)| n.to_string())
        .collect();
    view.csv = csv;
    if !apply {
        view.previewed = true;
        return Ok(view.into_response());
    }
    let invites = plan.rows.iter().filter(|r| r.invite).count();
    let mut tokens = Vec::with_capacity(invites);
    for _ in 0..invites {
        tokens.push(secrets::new_secret("").map_err(|e| PageError::Internal(e.to_string()))?);
    }
    let hashes: Vec<String> = tokens.iter().map(|t| secrets::hash(t)).collect();
    let now = app.now();
    let expires = now + super::INVITATION_DAYS * 24 * 3600 * 1000;
    let made = people_import::Tokens {
        hashes: &hashes,
        expires_at: expires,
    };
    let by = people_import::By {
        person: &me,
        client_ip: &client.ip,
        now,
    };
    match people_import::apply(&app.store, &ctx.org, &plan, made, by).await? {
        Ok(applied) => {
            let base = app.config.trusted_origin.clone().unwrap_or_default();
            view.done = Some(format!(
                "Done: {} changed, {} invited, {} new teams; {} lines refused.",
                cairn_domain::wording::pluralize(
                    applied.members_changed as u64,
                    "member",
                    "members"
                ),
                applied.invited.len(),
                applied.teams_created,
                plan.refused.len()
            ));
            view.invited = applied
                .invited
                .iter()
                .zip(tokens)
                .map(|(i, token)| Made {
                    line: i.line,
                    email: i.email.as_str().to_owned(),
                    link: format!("{base}/invite/{token}"),
                })
                .collect();
            view.csv = String::new();
            Ok(([(header::CACHE_CONTROL, "no-store")], view).into_response())
        }
        Err(reason) => {
            view.errors
                .add("file", format!("Nothing was changed: {reason}"));
            view.previewed = true;
            Ok(invalid(view))
        }
    }
}
