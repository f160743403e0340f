//! Positions: the position page and its editing.

mod edit;
mod show;

pub(crate) use show::*;

use crate::routes::Area;

pub(crate) fn routes() -> Area {
    Area::new()
        .get("/{org}/positions/{position}", show::show)
        .get_post(
            "/{org}/settings/framework/positions/new",
            edit::new_position_form,
            edit::create_position,
        )
        .get_post(
            "/{org}/positions/{position}/edit",
            edit::edit_position_form,
            edit::update_position,
        )
}
