//! Abilities: the ability page (the reference page) and its editing.

mod edit;
mod show;

pub(crate) use show::*;

use cairn_domain::Ability;

use crate::html::editing;
use crate::routes::Area;

pub(crate) fn routes() -> Area {
    Area::new()
        .get("/{org}/abilities/{ability}", show::show)
        .get_post(
            "/{org}/settings/framework/abilities/new",
            editing::new_form::<Ability>,
            editing::create::<Ability>,
        )
        .get_post(
            "/{org}/abilities/{ability}/edit",
            editing::edit_form::<Ability>,
            editing::update::<Ability>,
        )
        .get_post(
            "/{org}/abilities/{ability}/propose",
            editing::propose_form::<Ability>,
            editing::propose::<Ability>,
        )
}
