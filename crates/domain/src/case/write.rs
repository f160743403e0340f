//! A framework as a CASE 1.1 CFPackage (the mapping: `super`).

use serde_json::{Map, Value, json};

use super::{ABILITY, API, CATEGORY, POSITION, ROLE, document_identifier, identifier};
use crate::framework::{Ability, Framework, ItemKind, MilesRule, Name, Requirement};
use crate::gruuv_csv::slugify;
use crate::wording;

/// Where and what the package is.
pub struct Context<'a> {
    /// The site's address, without a trailing slash ("https://cairn.example").
    pub base: &'a str,
    pub org_id: &'a str,
    /// The published version the framework is, if it is one.
    pub version: Option<i64>,
    /// Whether the document is that version itself (its own identifier,
    /// never changing) rather than "the framework, latest version".
    pub pinned: bool,
    /// When it was published (unix ms): every record's lastChangeDateTime.
    pub changed_at: i64,
}

/// One CFItem to write.
struct Item<'a> {
    /// What it is in the organization ("ability/mentoring"): its identifier.
    key: String,
    kind: &'static str,
    uri: String,
    name: &'a str,
    code: Option<&'a str>,
    statement: &'a str,
    cairn: Option<Value>,
}

struct Writer<'a> {
    ctx: &'a Context<'a>,
    org: &'a str,
    stamp: String,
    items: Vec<Value>,
    associations: Vec<Value>,
}

impl Writer<'_> {
    fn id(&self, key: &str) -> String {
        identifier(self.ctx.org_id, key)
    }

    fn page(&self, path: &str) -> String {
        format!("{}/{}{path}", self.ctx.base, self.org)
    }

    fn api(&self, kind: &str, id: &str) -> String {
        format!("{}{API}/{kind}/{id}", self.ctx.base)
    }

    fn link(title: &str, identifier: &str, uri: &str) -> Value {
        json!({ "title": title, "identifier": identifier, "uri": uri })
    }

    fn item_type(&self, name: &str) -> Value {
        Self::link(
            name,
            &self.id(&format!("type/{name}")),
            &self.api("CFItemTypes", &self.id(&format!("type/{name}"))),
        )
    }

    /// Writes a CFItem, `isChildOf` `parent` at `sequence`; its node.
    fn child(&mut self, it: Item, parent: &Value, sequence: usize) -> Value {
        let identifier = self.id(&it.key);
        let mut item = Map::new();
        item.insert("identifier".into(), json!(identifier));
        item.insert("uri".into(), json!(it.uri));
        item.insert(
            "fullStatement".into(),
            json!(if it.statement.trim().is_empty() {
                it.name
            } else {
                it.statement
            }),
        );
        item.insert("abbreviatedStatement".into(), json!(it.name));
        if let Some(code) = it.code {
            item.insert("humanCodingScheme".into(), json!(code));
        }
        item.insert("CFItemType".into(), json!(it.kind));
        item.insert("CFItemTypeURI".into(), self.item_type(it.kind));
        item.insert("language".into(), json!("en"));
        item.insert("lastChangeDateTime".into(), json!(self.stamp));
        if let Some(c) = it.cairn {
            item.insert("extensions".into(), json!({ "cairn": c }));
        }
        let node = Self::link(it.name, &identifier, &it.uri);
        self.items.push(Value::Object(item));
        self.associate(
            &format!("child/{}", it.key),
            "isChildOf",
            &node,
            parent,
            sequence,
            None,
            None,
        );
        node
    }

    #[allow(clippy::too_many_arguments)]
    fn associate(
        &mut self,
        key: &str,
        kind: &str,
        origin: &Value,
        destination: &Value,
        sequence: usize,
        notes: Option<String>,
        cairn: Option<Value>,
    ) {
        let identifier = self.id(&format!("association/{key}"));
        let mut a = Map::new();
        a.insert("identifier".into(), json!(identifier));
        a.insert("associationType".into(), json!(kind));
        a.insert(
            "sequenceNumber".into(),
            json!(i32::try_from(sequence + 1).unwrap_or(i32::MAX)),
        );
        a.insert("uri".into(), json!(self.api("CFAssociations", &identifier)));
        a.insert("originNodeURI".into(), origin.clone());
        a.insert("destinationNodeURI".into(), destination.clone());
        a.insert("lastChangeDateTime".into(), json!(self.stamp));
        if let Some(n) = notes {
            a.insert("notes".into(), json!(n));
        }
        if let Some(c) = cairn {
            a.insert("extensions".into(), json!({ "cairn": c }));
        }
        self.associations.push(Value::Object(a));
    }

    fn rubric(&self, a: &Ability, miles: [u32; 5], node: &Value) -> Value {
        let slug = a.slug.as_str();
        let rubric = self.id(&format!("rubric/{slug}"));
        let criterion = self.id(&format!("criterion/{slug}"));
        let levels: Vec<Value> = a
            .milestones
            .iter()
            .zip(miles)
            .enumerate()
            .map(|(i, (m, score))| {
                let n = i + 1;
                let examples: Vec<String> = m.examples.iter().map(|e| format!("- {e}")).collect();
                json!({
                    "identifier": self.id(&format!("level/{slug}/{n}")),
                    "uri": self.page(&format!("/abilities/{slug}#milestone-{n}")),
                    "quality": m.summary.as_str(),
                    "description": examples.join("\n"),
                    "score": score,
                    "position": n,
                    "rubricCriterionId": criterion,
                    "lastChangeDateTime": self.stamp,
                })
            })
            .collect();
        json!({
            "identifier": rubric,
            "uri": self.api("CFRubrics", &rubric),
            "title": format!("{} milestones", a.name),
            "description": format!("The five milestones of {}.", a.name),
            "lastChangeDateTime": self.stamp,
            "CFRubricCriteria": [{
                "identifier": criterion,
                "uri": self.page(&format!("/abilities/{slug}#milestones")),
                "category": a.name.as_str(),
                "description": format!("Milestones of {}", a.name),
                "CFItemURI": node,
                "position": 1,
                "rubricId": rubric,
                "lastChangeDateTime": self.stamp,
                "CFRubricCriterionLevels": levels,
            }],
        })
    }

    fn requirements(
        &mut self,
        kind: ItemKind,
        slug: &str,
        plural: &Name,
        node: &Value,
        requires: &[Requirement],
        nodes: &std::collections::HashMap<String, Value>,
    ) {
        for (i, r) in requires.iter().enumerate() {
            let Some(ability) = nodes.get(&format!("ability/{}", r.ability)) else {
                continue;
            };
            self.associate(
                &format!("requires/{}/{slug}/{}", kind.as_str(), r.ability),
                "isRelatedTo",
                node,
                ability,
                i,
                Some(wording::must_be(plural, r.level)),
                Some(json!({ "requires": r.level.get() })),
            );
        }
    }
}

fn miles_rule(rule: MilesRule) -> Value {
    match rule {
        MilesRule::Required => json!({}),
        MilesRule::OverRequiredPercent(n) => json!({ "overRequiredPercent": n }),
        MilesRule::AtLeast(n) => json!({ "atLeast": n }),
        MilesRule::Band { at_least, below } => json!({ "atLeast": at_least, "below": below }),
    }
}

/// The framework as a CFPackage that validates against the CASE 1.1
/// schema (`getCFPackage` response).
pub fn package(fw: &Framework, ctx: &Context) -> Value {
    let org = &fw.organization;
    let mut w = Writer {
        ctx,
        org: org.slug.as_str(),
        stamp: wording::timestamp(ctx.changed_at),
        items: Vec::new(),
        associations: Vec::new(),
    };
    let doc_id = match (ctx.pinned, ctx.version) {
        (true, Some(n)) => super::version_identifier(ctx.org_id, n),
        _ => document_identifier(ctx.org_id),
    };
    let doc_uri = match (ctx.pinned, ctx.version) {
        (true, Some(n)) => w.page(&format!("/changes#v{n}")),
        _ => w.page(""),
    };
    let doc = Writer::link(org.name.as_str(), &doc_id, &doc_uri);
    let mut nodes = std::collections::HashMap::new();

    // Categories first (in order of first appearance), then the abilities
    // in the framework's own order, so reading the package back keeps it.
    let mut top = 0;
    let mut parents = std::collections::HashMap::new();
    for (category, _) in fw.abilities_by_category() {
        let Some(name) = category else { continue };
        let anchor = slugify(name.as_str()).map_or_else(String::new, |s| format!("#{s}"));
        let item = Item {
            key: format!("category/{name}"),
            kind: CATEGORY,
            uri: w.page(&anchor),
            name: name.as_str(),
            code: None,
            statement: name.as_str(),
            cairn: None,
        };
        let node = w.child(item, &doc, top);
        top += 1;
        parents.insert(name.as_str().to_owned(), (node, 0usize));
    }
    for a in &fw.abilities {
        let slug = a.slug.as_str();
        let (parent, seq) = match a
            .category
            .as_ref()
            .and_then(|c| parents.get_mut(c.as_str()))
        {
            Some((parent, next)) => {
                *next += 1;
                (parent.clone(), *next - 1)
            }
            None => {
                top += 1;
                (doc.clone(), top - 1)
            }
        };
        let item = Item {
            key: format!("ability/{slug}"),
            kind: ABILITY,
            uri: w.page(&format!("/abilities/{slug}")),
            name: a.name.as_str(),
            code: Some(slug),
            statement: a.description.as_str(),
            cairn: None,
        };
        let node = w.child(item, &parent, seq);
        nodes.insert(format!("ability/{slug}"), node);
    }
    let rubrics: Vec<Value> = fw
        .abilities
        .iter()
        .filter_map(|a| {
            let node = nodes.get(&format!("ability/{}", a.slug))?;
            Some(w.rubric(a, org.miles.values(), node))
        })
        .collect();

    for role in &fw.roles {
        let slug = role.slug.as_str();
        let key = format!("role/{slug}");
        let item = Item {
            key: key.clone(),
            kind: ROLE,
            uri: w.page(&format!("/roles/{slug}")),
            name: role.name.as_str(),
            code: Some(slug),
            statement: role.description.as_str(),
            cairn: Some(json!({ "plural": role.plural.as_str() })),
        };
        let node = w.child(item, &doc, top);
        top += 1;
        w.requirements(
            ItemKind::Role,
            slug,
            &role.plural,
            &node,
            &role.requires,
            &nodes,
        );
        nodes.insert(key, node);
    }
    for p in &fw.positions {
        let slug = p.slug.as_str();
        let item = Item {
            key: format!("position/{slug}"),
            kind: POSITION,
            uri: w.page(&format!("/positions/{slug}")),
            name: p.title.as_str(),
            code: Some(slug),
            statement: p.description.as_str(),
            cairn: Some(json!({
                "plural": p.plural.as_str(),
                "level": p.level.as_str(),
                "milesRule": miles_rule(p.miles),
            })),
        };
        let node = w.child(item, &doc, top);
        top += 1;
        w.requirements(
            ItemKind::Position,
            slug,
            &p.plural,
            &node,
            &p.requires,
            &nodes,
        );
        let roles = p
            .required_roles
            .iter()
            .map(|r| (r, "required"))
            .chain(p.suggested_roles.iter().map(|r| (r, "suggested")));
        for (i, (role, how)) in roles.enumerate() {
            let Some(target) = nodes.get(&format!("role/{role}")).cloned() else {
                continue;
            };
            w.associate(
                &format!("role/{slug}/{role}"),
                "isRelatedTo",
                &node,
                &target,
                i,
                Some(format!(
                    "{} hold the role {} ({how})",
                    p.plural,
                    target["title"].as_str().unwrap_or("")
                )),
                Some(json!({ "role": how })),
            );
        }
    }

    let mut document = Map::new();
    document.insert("identifier".into(), json!(doc_id));
    document.insert("uri".into(), json!(doc_uri));
    document.insert("frameworkType".into(), json!("Growth framework"));
    document.insert("caseVersion".into(), json!("1.1"));
    document.insert("creator".into(), json!(org.name.as_str()));
    document.insert("title".into(), json!(org.name.as_str()));
    document.insert("lastChangeDateTime".into(), json!(w.stamp));
    document.insert("officialSourceURL".into(), json!(w.page("")));
    document.insert("publisher".into(), json!(org.name.as_str()));
    document.insert(
        "description".into(),
        json!(format!(
            "The growth framework of {}, published with cairn.",
            org.name
        )),
    );
    document.insert("language".into(), json!("en"));
    if let Some(n) = ctx.version {
        document.insert("version".into(), json!(n.to_string()));
    }
    document.insert("adoptionStatus".into(), json!("Published"));
    let mut definitions = Map::new();
    if let Some(url) = org.licence.url() {
        let id = w.id("licence");
        document.insert(
            "licenseURI".into(),
            Writer::link(org.licence.label(), &id, url),
        );
        definitions.insert(
            "CFLicenses".into(),
            json!([{
                "identifier": id,
                "uri": url,
                "title": org.licence.label(),
                "licenseText": format!("{} ({url})", org.licence.label()),
                "lastChangeDateTime": w.stamp,
            }]),
        );
    }
    if !org.attribution.is_empty() {
        document.insert("notes".into(), json!(org.attribution));
    }
    document.insert(
        "extensions".into(),
        json!({ "cairn": {
            "slug": org.slug.as_str(),
            "miles": org.miles.values(),
            "licence": org.licence.as_str(),
            "attribution": org.attribution,
        }}),
    );
    let types: Vec<Value> = [ABILITY, CATEGORY, ROLE, POSITION]
        .into_iter()
        .map(|t| {
            let id = w.id(&format!("type/{t}"));
            json!({
                "identifier": id,
                "uri": w.api("CFItemTypes", &id),
                "title": t,
                "description": match t {
                    ABILITY => "An ability the organization values, with five milestones.",
                    CATEGORY => "A group of abilities.",
                    ROLE => "A role people hold, which requires milestones.",
                    _ => "A position people hold, which requires milestones and roles.",
                },
                "hierarchyCode": t.to_ascii_lowercase(),
                "typeCode": t.to_ascii_lowercase(),
                "lastChangeDateTime": w.stamp,
            })
        })
        .collect();
    definitions.insert("CFItemTypes".into(), Value::Array(types));

    json!({
        "CFDocument": Value::Object(document),
        "CFItems": w.items,
        "CFAssociations": w.associations,
        "CFDefinitions": Value::Object(definitions),
        "CFRubrics": rubrics,
    })
}
