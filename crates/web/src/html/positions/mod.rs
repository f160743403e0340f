//! Positions: the position page and its editing.

mod compare;
mod edit;
mod show;

pub(crate) use show::*;

use cairn_domain::Position;

use crate::html::editing;
use crate::routes::Area;

pub(crate) fn routes() -> Area {
    Area::new()
        .get("/{org}/positions/compare", compare::show)
        .get("/{org}/positions/{position}", show::show)
        .get_post(
            "/{org}/settings/framework/positions/new",
            editing::new_form::<Position>,
            editing::create::<Position>,
        )
        .get_post(
            "/{org}/positions/{position}/edit",
            editing::edit_form::<Position>,
            editing::update::<Position>,
        )
        .get_post(
            "/{org}/positions/{position}/propose",
            editing::propose_form::<Position>,
            editing::propose::<Position>,
        )
}
