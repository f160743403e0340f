//! Creating and editing positions.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::Response;
use cairn_domain::{Framework, Markdown, MilesRule, Name, OrgSlug, Position, Role, Slug};
use cairn_store::framework::Edit;

use crate::forms::{FormErrors, Pairs, field};
use crate::html::Chrome;
use crate::html::editing::*;
use cairn_domain::ItemKind;

pub(crate) struct RoleChoice {
    slug: String,
    name: String,
    state: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "positions/edit.html")]
pub(crate) struct PositionForm {
    chrome: Chrome,
    proposing: Proposing,
    create: bool,
    action: String,
    archive_action: String,
    title: String,
    plural: String,
    slug: String,
    level: String,
    description: String,
    roles: Vec<RoleChoice>,
    requirements: Vec<RequirementField>,
    miles_rule: String,
    miles_value: String,
    miles_below: String,
    errors: FormErrors,
}

pub(crate) fn position_form(
    chrome: Chrome,
    org: &OrgSlug,
    fw: &Framework,
    p: Option<&Position>,
    pairs: Option<&Pairs>,
    errors: FormErrors,
) -> PositionForm {
    let slug = p.map(|p| p.slug.to_string()).unwrap_or_default();
    let get = |key: &str, default: String| pairs.map_or(default, |f| field(f, key).to_owned());
    let (rule, value, below) = match p.map(|p| p.miles) {
        Some(MilesRule::OverRequiredPercent(n)) => {
            ("over_required_percent", n.to_string(), String::new())
        }
        Some(MilesRule::AtLeast(n)) => ("at_least", n.to_string(), String::new()),
        Some(MilesRule::Band { at_least, below }) => {
            ("band", at_least.to_string(), below.to_string())
        }
        _ => ("required", String::new(), String::new()),
    };
    PositionForm {
        proposing: Proposing::default(),
        chrome,
        create: p.is_none(),
        action: match p {
            Some(p) => format!("/{org}/positions/{}/edit", p.slug),
            None => format!("/{org}/settings/framework/positions/new"),
        },
        archive_action: format!("/{org}/positions/{slug}/archive"),
        title: get("title", p.map(|p| p.title.to_string()).unwrap_or_default()),
        plural: get(
            "plural",
            p.map(|p| p.plural.to_string()).unwrap_or_default(),
        ),
        slug: get("slug", slug),
        level: get("level", p.map(|p| p.level.to_string()).unwrap_or_default()),
        description: get(
            "description",
            p.map(|p| p.description.as_str().to_owned())
                .unwrap_or_default(),
        ),
        roles: fw
            .roles
            .iter()
            .map(|r| RoleChoice {
                slug: r.slug.to_string(),
                name: r.name.to_string(),
                state: match pairs.map(|f| field(f, &format!("role_{}", r.slug))) {
                    Some("required") => "required",
                    Some("suggested") => "suggested",
                    Some(_) => "none",
                    None if p.is_some_and(|p| p.required_roles.contains(&r.slug)) => "required",
                    None if p.is_some_and(|p| p.suggested_roles.contains(&r.slug)) => "suggested",
                    None => "none",
                },
            })
            .collect(),
        requirements: requirement_fields(fw, p.map_or(&[][..], |p| &p.requires[..]), pairs),
        miles_rule: get("miles_rule", rule.to_owned()),
        miles_value: get("miles_value", value),
        miles_below: get("miles_below", below),
        errors,
    }
}

pub(crate) fn parse_position(
    fw: &Framework,
    pairs: &Pairs,
    slug: Option<Slug>,
    errors: &mut FormErrors,
) -> Option<Position> {
    let title = errors.check(
        "title",
        Name::parse(field(pairs, "title"), "a position title"),
    );
    let slug = match slug {
        Some(s) => Some(s),
        None => new_slug(errors, field(pairs, "slug"), field(pairs, "title")),
    };
    let level = errors.check("level", Name::parse(field(pairs, "level"), "a level"));
    let mut required_roles = Vec::new();
    let mut suggested_roles = Vec::new();
    for r in &fw.roles {
        match field(pairs, &format!("role_{}", r.slug)) {
            "required" => required_roles.push(r.slug.clone()),
            "suggested" => suggested_roles.push(r.slug.clone()),
            _ => {}
        }
    }
    let requires = parse_requirements(fw, pairs, errors);
    let value = field(pairs, "miles_value").trim();
    let mut number = || match value.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(
                "miles_value",
                "Give the percentage or number of miles as a whole number.",
            );
            None
        }
    };
    let miles = match field(pairs, "miles_rule") {
        "over_required_percent" => number().map(MilesRule::OverRequiredPercent),
        "at_least" => number().map(MilesRule::AtLeast),
        "band" => {
            let floor = number();
            let below = field(pairs, "miles_below").trim().parse::<u32>().ok();
            match (floor, below) {
                (Some(at_least), Some(below)) if below > at_least => {
                    Some(MilesRule::Band { at_least, below })
                }
                (Some(_), _) => {
                    errors.add(
                        "miles_below",
                        "Give the band's upper end: a whole number of miles above its lower end.",
                    );
                    None
                }
                (None, _) => None,
            }
        }
        _ => Some(MilesRule::Required),
    };
    let plural = match field(pairs, "plural").trim() {
        "" => title.as_ref().map(Role::default_plural),
        p => errors.check("plural", Name::parse(p, "a plural")),
    };
    Some(Position {
        slug: slug?,
        plural: plural?,
        title: title?,
        level: level?,
        description: Markdown::new(field(pairs, "description").trim_end()),
        required_roles,
        suggested_roles,
        requires,
        miles: miles?,
    })
}

impl Editable for Position {
    const KIND: ItemKind = ItemKind::Position;

    fn slug(&self) -> &Slug {
        &self.slug
    }

    fn find<'a>(fw: &'a Framework, slug: &Slug) -> Option<&'a Self> {
        fw.position(slug)
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
        let mut form = position_form(chrome, org, fw, item, posted, errors);
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
        parse_position(fw, pairs, slug, errors)
    }

    fn snapshot(&self) -> cairn_domain::history::Snapshot {
        cairn_domain::history::position(self)
    }

    fn edit(self, create: bool) -> Edit {
        Edit::SavePosition {
            position: self,
            create,
        }
    }
}
