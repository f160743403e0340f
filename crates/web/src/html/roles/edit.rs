//! Creating and editing roles.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::Response;
use cairn_domain::{Framework, Markdown, Name, OrgSlug, Role, Slug};
use cairn_store::framework::Edit;

use crate::forms::{FormErrors, Pairs, field};
use crate::html::Chrome;
use crate::html::editing::*;
use cairn_domain::ItemKind;

#[derive(Template, WebTemplate)]
#[template(path = "roles/edit.html")]
pub(crate) struct RoleForm {
    chrome: Chrome,
    proposing: Proposing,
    create: bool,
    action: String,
    archive_action: String,
    name: String,
    slug: String,
    plural: String,
    description: String,
    requirements: Vec<RequirementField>,
    errors: FormErrors,
}

pub(crate) fn role_form(
    chrome: Chrome,
    org: &OrgSlug,
    fw: &Framework,
    role: Option<&Role>,
    pairs: Option<&Pairs>,
    errors: FormErrors,
) -> RoleForm {
    let slug = role.map(|r| r.slug.to_string()).unwrap_or_default();
    let get = |key: &str, default: String| pairs.map_or(default, |p| field(p, key).to_owned());
    RoleForm {
        proposing: Proposing::default(),
        chrome,
        create: role.is_none(),
        action: match role {
            Some(r) => format!("/{org}/roles/{}/edit", r.slug),
            None => format!("/{org}/settings/framework/roles/new"),
        },
        archive_action: format!("/{org}/roles/{slug}/archive"),
        name: get("name", role.map(|r| r.name.to_string()).unwrap_or_default()),
        slug: get("slug", slug),
        plural: get(
            "plural",
            role.map(|r| r.plural.to_string()).unwrap_or_default(),
        ),
        description: get(
            "description",
            role.map(|r| r.description.as_str().to_owned())
                .unwrap_or_default(),
        ),
        requirements: requirement_fields(fw, role.map_or(&[][..], |r| &r.requires[..]), pairs),
        errors,
    }
}

pub(crate) fn parse_role(
    fw: &Framework,
    pairs: &Pairs,
    slug: Option<Slug>,
    errors: &mut FormErrors,
) -> Option<Role> {
    let name = errors.check("name", Name::parse(field(pairs, "name"), "a role name"));
    let slug = match slug {
        Some(s) => Some(s),
        None => new_slug(errors, field(pairs, "slug"), field(pairs, "name")),
    };
    let plural = match field(pairs, "plural").trim() {
        "" => name.as_ref().map(Role::default_plural),
        p => errors.check("plural", Name::parse(p, "a plural")),
    };
    let requires = parse_requirements(fw, pairs, errors);
    Some(Role {
        slug: slug?,
        name: name?,
        plural: plural?,
        description: Markdown::new(field(pairs, "description").trim_end()),
        requires,
    })
}

impl Editable for Role {
    const KIND: ItemKind = ItemKind::Role;

    fn slug(&self) -> &Slug {
        &self.slug
    }

    fn find<'a>(fw: &'a Framework, slug: &Slug) -> Option<&'a Self> {
        fw.role(slug)
    }

    fn form(
        chrome: Chrome,
        org: &OrgSlug,
        fw: &Framework,
        item: Option<&Self>,
        posted: Option<&Pairs>,
        errors: FormErrors,
        proposing: Proposing,
    ) -> Response {
        let mut form = role_form(chrome, org, fw, item, posted, errors);
        if proposing.on {
            form.action = proposing.action.clone();
        }
        form.proposing = proposing;
        page(form)
    }

    fn parse(
        fw: &Framework,
        pairs: &Pairs,
        slug: Option<Slug>,
        errors: &mut FormErrors,
    ) -> Option<Self> {
        parse_role(fw, pairs, slug, errors)
    }

    fn snapshot(&self) -> cairn_domain::history::Snapshot {
        cairn_domain::history::role(self)
    }

    fn edit(self, create: bool) -> Edit {
        Edit::SaveRole { role: self, create }
    }
}
