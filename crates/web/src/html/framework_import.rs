//! A framework from a file uploaded in the browser, or copied from a
//! published one: how an empty organization starts. The file goes through
//! the same parser and checks as `cairn import`, and every problem is
//! reported as `file:line:column: message`; nothing is written unless the
//! whole file is valid. The framework lands in this organization whatever
//! the file's `organization` says (its name and address stay), with the
//! file's miles scale. Replacing a framework that has items archives those
//! the file lacks, so that needs a ticked confirmation.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequest, Multipart, State};
use axum::response::{IntoResponse, Response};
use cairn_domain::{Framework, OrgSlug, case};
use cairn_store::framework;
use cairn_store::framework::fork::{self, ForkRefused};

use crate::App;
use crate::auth::Visitor;
use crate::error::PageError;
use crate::extract::OrgPath;
use crate::forms::{FormErrors, Pairs, field, invalid, redirect};
use crate::html::editing::editor;
use crate::html::framework::hub_view;
use crate::html::{Chrome, OrgContext};

/// At most this much text: a large framework is a few hundred KB.
const MOST_BYTES: usize = 4 * 1024 * 1024;

struct Upload {
    name: String,
    text: String,
    confirm: bool,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, PageError> {
    let mut upload = Upload {
        name: String::new(),
        text: String::new(),
        confirm: false,
    };
    while let Some(f) = multipart
        .next_field()
        .await
        .map_err(|_| PageError::BadRequest("The upload could not be read."))?
    {
        let name = f.name().unwrap_or("").to_owned();
        let file_name = f.file_name().unwrap_or("").to_owned();
        let text = f
            .text()
            .await
            .map_err(|_| PageError::BadRequest("The upload is not UTF-8 text."))?;
        match name.as_str() {
            "file" if !text.trim().is_empty() => {
                upload.name = file_name;
                upload.text = text;
            }
            "text" if upload.text.is_empty() && !text.trim().is_empty() => {
                upload.name = "pasted text".to_owned();
                upload.text = text;
            }
            "confirm" => upload.confirm = text == "on",
            _ => {}
        }
    }
    Ok(upload)
}

/// What a CASE package became, item by item.
#[derive(Template, WebTemplate)]
#[template(path = "framework/case_report.html")]
struct CaseReport {
    chrome: Chrome,
    file: String,
    summary: String,
    to_fill: usize,
    lines: Vec<String>,
}

/// The framework as this organization's, keeping its name and address.
fn into_org(mut fw: Framework, ctx: &OrgContext) -> Framework {
    fw.organization.slug = ctx.org.org.slug.clone();
    fw.organization.name = ctx.org.org.name.clone();
    fw
}

/// Writes `fw` over this organization's framework, or says why not.
async fn replace(
    app: &App,
    visitor: &Visitor,
    ctx: &OrgContext,
    fw: Framework,
    confirmed: bool,
    errors: &mut FormErrors,
) -> Result<bool, PageError> {
    let current = framework::load(&app.store, &ctx.org).await?;
    let has_items =
        !(current.abilities.is_empty() && current.roles.is_empty() && current.positions.is_empty());
    if has_items && !confirmed {
        errors.add(
            "confirm",
            "This replaces the framework: what the file lacks is archived. Tick the box to confirm.",
        );
        return Ok(false);
    }
    let me = ctx.member()?.id.clone();
    let _ = visitor;
    framework::replace_as(&app.store, &into_org(fw, ctx), Some(&me), app.now()).await?;
    Ok(true)
}

pub(crate) async fn import(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    // Who may import is decided before the body is read.
    let ctx = editor(&app, &visitor, &org).await?;
    let multipart = Multipart::from_request(request, &()).await.map_err(|_| {
        PageError::BadRequest("Send the file as a form upload (multipart/form-data).")
    })?;
    let upload = read_upload(multipart).await?;
    let mut errors = FormErrors::default();
    if upload.text.is_empty() {
        errors.add(
            "file",
            "Choose a framework file (YAML, format cairn/1, or a CASE 1.1 CFPackage in JSON).",
        );
    } else if upload.text.len() > MOST_BYTES {
        errors.add("file", "The file is larger than 4 MB.");
    } else {
        let name = if upload.name.is_empty() {
            "file"
        } else {
            upload.name.as_str()
        };
        if case::is_package(&upload.text) {
            match case::read(&upload.text, Some(&org)) {
                Ok(imported) => {
                    let mut fw = imported.framework.clone();
                    // Another product's package has no miles scale or
                    // licence of ours: the organization keeps its own.
                    if !imported.cairn {
                        fw.organization.miles = ctx.org.org.miles;
                        fw.organization.licence = ctx.org.org.licence;
                        fw.organization.attribution = ctx.org.org.attribution.clone();
                    }
                    if replace(&app, &visitor, &ctx, fw, upload.confirm, &mut errors).await? {
                        let to_fill = imported
                            .report
                            .iter()
                            .filter(|l| {
                                matches!(
                                    l.outcome,
                                    case::Outcome::Ability {
                                        milestones: false,
                                        ..
                                    }
                                )
                            })
                            .count();
                        return Ok(CaseReport {
                            chrome: ctx.chrome(&visitor),
                            file: name.to_owned(),
                            summary: imported.summary(),
                            to_fill,
                            lines: imported.report.iter().map(ToString::to_string).collect(),
                        }
                        .into_response());
                    }
                }
                Err(problems) => {
                    for p in problems {
                        errors.add("file", format!("{name}:{p}"));
                    }
                }
            }
            return Ok(invalid(
                hub_view(&app, &visitor, &ctx, None, false, errors).await?,
            ));
        }
        match cairn_domain::file::parse(&upload.text) {
            Ok(fw) => {
                if replace(&app, &visitor, &ctx, fw, upload.confirm, &mut errors).await? {
                    return Ok(redirect(&format!("/{org}/settings/framework?saved=1")));
                }
            }
            Err(problems) => {
                for p in problems {
                    errors.add("file", format!("{name}:{p}"));
                }
            }
        }
    }
    Ok(invalid(
        hub_view(&app, &visitor, &ctx, None, false, errors).await?,
    ))
}

/// Starts from a published framework: a fork (`html::forks`), its copy
/// this organization's draft, edited here from then on.
pub(crate) async fn adopt(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
    Form(pairs): Form<Pairs>,
) -> Result<Response, PageError> {
    let ctx = editor(&app, &visitor, &org).await?;
    let mut errors = FormErrors::default();
    let source = match OrgSlug::parse(field(&pairs, "from")) {
        Ok(s) if s != org => cairn_store::orgs::by_slug(&app.store, &s)
            .await?
            .filter(|o| o.published),
        _ => None,
    };
    match source {
        None => errors.add("from", "Choose one of the published frameworks."),
        Some(source) => {
            let url = super::forks::page_url(&app, &source.org.slug);
            let from = fork::local_source(&app.store, &source, url).await?;
            let me = ctx.member()?.id.clone();
            match fork::fork(&app.store, &ctx.org.id, &from, Some(&me), app.now()).await? {
                Ok(()) => return Ok(redirect(&format!("/{org}/upstream?forked=1"))),
                Err(ForkRefused::Licence(why)) => errors.add("from", format!("{why}.")),
                Err(ForkRefused::NotEmpty | ForkRefused::Itself) => errors.add(
                    "from",
                    "This organization has a framework (or a draft) already: a published framework can only start an empty one. Import a file to replace it.",
                ),
            }
        }
    }
    Ok(invalid(
        hub_view(&app, &visitor, &ctx, None, false, errors).await?,
    ))
}

/// The forms' addresses, opened: the hub has them.
pub(crate) async fn to_hub(
    State(app): State<App>,
    visitor: Visitor,
    OrgPath(org): OrgPath,
) -> Result<Response, PageError> {
    editor(&app, &visitor, &org).await?;
    Ok(redirect(&format!("/{org}/settings/framework#import")))
}
