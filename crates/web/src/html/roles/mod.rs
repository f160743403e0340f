//! Roles: the role page and its editing.

mod edit;
mod show;

pub(crate) use show::*;

use cairn_domain::Role;

use crate::html::editing;
use crate::routes::Area;

pub(crate) fn routes() -> Area {
    Area::new()
        .get("/{org}/roles/{role}", show::show)
        .get_post(
            "/{org}/settings/framework/roles/new",
            editing::new_form::<Role>,
            editing::create::<Role>,
        )
        .get_post(
            "/{org}/roles/{role}/edit",
            editing::edit_form::<Role>,
            editing::update::<Role>,
        )
        .get_post(
            "/{org}/roles/{role}/propose",
            editing::propose_form::<Role>,
            editing::propose::<Role>,
        )
}
