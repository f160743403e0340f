//! Creating and editing abilities.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::Response;
use cairn_domain::{Ability, Level, Markdown, Milestone, Name, OrgSlug, Slug, file::check_example};
use cairn_store::framework::Edit;

use crate::forms::{FormErrors, Pairs, field};
use crate::html::Chrome;
use crate::html::editing::*;
use cairn_domain::{Framework, ItemKind};

pub(crate) struct MilestoneFields {
    level: u8,
    field: String,
    summary: String,
    examples: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "abilities/edit.html")]
pub(crate) struct AbilityForm {
    chrome: Chrome,
    proposing: Proposing,
    create: bool,
    action: String,
    archive_action: String,
    name: String,
    slug: String,
    category: String,
    description: String,
    milestones: Vec<MilestoneFields>,
    errors: FormErrors,
}

impl AbilityForm {
    fn of(chrome: Chrome, org: &OrgSlug, a: Option<&Ability>) -> Self {
        let slug = a.map(|a| a.slug.to_string()).unwrap_or_default();
        AbilityForm {
            proposing: Proposing::default(),
            chrome,
            create: a.is_none(),
            action: match a {
                Some(a) => format!("/{org}/abilities/{}/edit", a.slug),
                None => format!("/{org}/settings/framework/abilities/new"),
            },
            archive_action: format!("/{org}/abilities/{slug}/archive"),
            name: a.map(|a| a.name.to_string()).unwrap_or_default(),
            slug,
            category: a
                .and_then(|a| a.category.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default(),
            description: a
                .map(|a| a.description.as_str().to_owned())
                .unwrap_or_default(),
            milestones: Level::ALL
                .iter()
                .map(|l| MilestoneFields {
                    level: l.get(),
                    field: format!("m{l}_examples"),
                    summary: a
                        .map(|a| a.milestone(*l).summary.as_str().to_owned())
                        .unwrap_or_default(),
                    examples: a
                        .map(|a| a.milestone(*l).examples.join("\n"))
                        .unwrap_or_default(),
                })
                .collect(),
            errors: FormErrors::default(),
        }
    }

    /// The form as submitted, to show again with errors.
    fn refill(mut self, pairs: &Pairs, errors: FormErrors) -> Self {
        self.name = field(pairs, "name").to_owned();
        if self.create {
            self.slug = field(pairs, "slug").to_owned();
        }
        self.category = field(pairs, "category").to_owned();
        self.description = field(pairs, "description").to_owned();
        for m in &mut self.milestones {
            m.summary = field(pairs, &format!("m{}_summary", m.level)).to_owned();
            m.examples = field(pairs, &m.field).to_owned();
        }
        self.errors = errors;
        self
    }
}

/// Parses the ability form; `slug` is fixed when editing.
pub(crate) fn parse_ability(
    pairs: &Pairs,
    slug: Option<Slug>,
    errors: &mut FormErrors,
) -> Option<Ability> {
    let name = errors.check("name", Name::parse(field(pairs, "name"), "an ability name"));
    let slug = match slug {
        Some(s) => Some(s),
        None => new_slug(errors, field(pairs, "slug"), field(pairs, "name")),
    };
    let category = match field(pairs, "category").trim() {
        "" => Some(None),
        c => errors
            .check("category", Name::parse(c, "a category"))
            .map(Some),
    };
    let mut milestones: [Milestone; 5] = Default::default();
    for (m, level) in milestones.iter_mut().zip(Level::ALL) {
        m.summary = Markdown::new(field(pairs, &format!("m{level}_summary")).trim_end());
        for line in field(pairs, &format!("m{level}_examples"))
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            match check_example(line.trim_end()) {
                Ok(e) => m.examples.push(e),
                Err(e) => errors.add("examples", format!("Milestone {level}: {e}")),
            }
        }
    }
    let description = Markdown::new(field(pairs, "description").trim_end());
    Some(Ability {
        slug: slug?,
        name: name?,
        category: category?,
        description,
        milestones,
    })
}

impl Editable for Ability {
    const KIND: ItemKind = ItemKind::Ability;

    fn slug(&self) -> &Slug {
        &self.slug
    }

    fn find<'a>(fw: &'a Framework, slug: &Slug) -> Option<&'a Self> {
        fw.ability(slug)
    }

    fn form(
        chrome: Chrome,
        org: &OrgSlug,
        _fw: &Framework,
        item: Option<&Self>,
        posted: Option<&Pairs>,
        errors: FormErrors,
        proposing: Proposing,
    ) -> Response {
        let form = AbilityForm::of(chrome, org, item);
        let mut form = match posted {
            Some(pairs) => form.refill(pairs, errors),
            None => form,
        };
        if proposing.on {
            form.action = proposing.action.clone();
        }
        form.proposing = proposing;
        page(form)
    }

    fn parse(
        _fw: &Framework,
        pairs: &Pairs,
        slug: Option<Slug>,
        errors: &mut FormErrors,
    ) -> Option<Self> {
        parse_ability(pairs, slug, errors)
    }

    fn snapshot(&self) -> cairn_domain::history::Snapshot {
        cairn_domain::history::ability(self)
    }

    fn edit(self, create: bool) -> Edit {
        Edit::SaveAbility {
            ability: self,
            create,
        }
    }
}
