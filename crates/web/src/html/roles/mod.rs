//! Roles: the role page and its editing.

mod edit;
mod show;

pub(crate) use show::*;

use crate::routes::Area;

pub(crate) fn routes() -> Area {
    Area::new()
        .get("/{org}/roles/{role}", show::show)
        .get_post(
            "/{org}/settings/framework/roles/new",
            edit::new_role_form,
            edit::create_role,
        )
        .get_post(
            "/{org}/roles/{role}/edit",
            edit::edit_role_form,
            edit::update_role,
        )
}
