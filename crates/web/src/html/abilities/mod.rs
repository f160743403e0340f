//! Abilities: the ability page (the reference page) and its editing.

mod edit;
mod show;

pub(crate) use show::*;

use crate::routes::Area;

pub(crate) fn routes() -> Area {
    Area::new()
        .get("/{org}/abilities/{ability}", show::show)
        .get_post(
            "/{org}/settings/framework/abilities/new",
            edit::new_ability_form,
            edit::create_ability,
        )
        .get_post(
            "/{org}/abilities/{ability}/edit",
            edit::edit_ability_form,
            edit::update_ability,
        )
}
