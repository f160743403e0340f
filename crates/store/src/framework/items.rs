//! What differs between abilities, roles and positions when they are
//! written: their own columns (and an ability's milestones). Everything
//! else (matching by slug, history, archiving) is `plan::write_items`.

use cairn_domain::history::{self, Snapshot};
use cairn_domain::{Ability, ItemKind, Level, Name, Position, Role, Slug};
use sqlx::AnyConnection;

use super::*;
use crate::StoreError;

/// One kind of item as `write_items` writes it.
pub(super) trait Written: PartialEq + Sized {
    const KIND: ItemKind;

    fn slug(&self) -> &Slug;

    fn snapshot(&self) -> Snapshot;

    /// Inserts the item's row under `id`.
    async fn insert(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        order: i64,
    ) -> Result<(), StoreError>;

    /// Rewrites the item's row (restoring it if it was archived);
    /// `updated_at` moves only when its content changed.
    async fn update(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        order: i64,
        content_changed: bool,
    ) -> Result<(), StoreError>;

    /// What the item owns besides its row, after the row is written.
    async fn write_parts(
        &self,
        _conn: &mut AnyConnection,
        _w: &Writer<'_>,
        _id: &str,
        _old: Option<&Self>,
        _inserted: bool,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

impl Written for Ability {
    const KIND: ItemKind = ItemKind::Ability;

    fn slug(&self) -> &Slug {
        &self.slug
    }

    fn snapshot(&self) -> Snapshot {
        history::ability(self)
    }

    async fn insert(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        order: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO abilities (id, org_id, slug, name, category, description, sort_order, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id)
        .bind(w.org.as_str())
        .bind(self.slug.as_str())
        .bind(self.name.as_str())
        .bind(self.category.as_ref().map(Name::as_str))
        .bind(self.description.as_str())
        .bind(order)
        .bind(w.now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn update(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        order: i64,
        content_changed: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE abilities SET name = $1, category = $2, description = $3, sort_order = $4,
                    archived_at = NULL, updated_at = CASE WHEN $5 = 1 THEN $6 ELSE updated_at END
              WHERE id = $7",
        )
        .bind(self.name.as_str())
        .bind(self.category.as_ref().map(Name::as_str))
        .bind(self.description.as_str())
        .bind(order)
        .bind(i64::from(content_changed))
        .bind(w.now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The five milestones, rewritten whole when new or changed.
    async fn write_parts(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        old: Option<&Self>,
        inserted: bool,
    ) -> Result<(), StoreError> {
        let changed = inserted || old.is_some_and(|o| o.milestones != self.milestones);
        if !changed {
            return Ok(());
        }
        sqlx::query("DELETE FROM milestones WHERE ability_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for (level, m) in Level::ALL.iter().zip(&self.milestones) {
            sqlx::query(
                "INSERT INTO milestones (org_id, ability_id, level, summary, examples)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(w.org.as_str())
            .bind(id)
            .bind(i64::from(level.get()))
            .bind(m.summary.as_str())
            .bind(serde_json::to_string(&m.examples)?)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

impl Written for Role {
    const KIND: ItemKind = ItemKind::Role;

    fn slug(&self) -> &Slug {
        &self.slug
    }

    fn snapshot(&self) -> Snapshot {
        history::role(self)
    }

    async fn insert(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        order: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO roles (id, org_id, slug, name, plural, description, sort_order, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id)
        .bind(w.org.as_str())
        .bind(self.slug.as_str())
        .bind(self.name.as_str())
        .bind(self.plural.as_str())
        .bind(self.description.as_str())
        .bind(order)
        .bind(w.now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn update(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        order: i64,
        content_changed: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE roles SET name = $1, plural = $2, description = $3, sort_order = $4,
                    archived_at = NULL, updated_at = CASE WHEN $5 = 1 THEN $6 ELSE updated_at END
              WHERE id = $7",
        )
        .bind(self.name.as_str())
        .bind(self.plural.as_str())
        .bind(self.description.as_str())
        .bind(order)
        .bind(i64::from(content_changed))
        .bind(w.now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

impl Written for Position {
    const KIND: ItemKind = ItemKind::Position;

    fn slug(&self) -> &Slug {
        &self.slug
    }

    fn snapshot(&self) -> Snapshot {
        history::position(self)
    }

    async fn insert(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        order: i64,
    ) -> Result<(), StoreError> {
        let (rule, value, below) = miles_rule_to(self.miles);
        sqlx::query(
            "INSERT INTO positions (id, org_id, slug, title, level, description, miles_rule, miles_value,
                                    sort_order, created_at, updated_at, plural, miles_below)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)",
        )
        .bind(id)
        .bind(w.org.as_str())
        .bind(self.slug.as_str())
        .bind(self.title.as_str())
        .bind(self.level.as_str())
        .bind(self.description.as_str())
        .bind(rule)
        .bind(value)
        .bind(order)
        .bind(w.now)
        .bind(self.plural.as_str())
        .bind(below)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn update(
        &self,
        conn: &mut AnyConnection,
        w: &Writer<'_>,
        id: &str,
        order: i64,
        content_changed: bool,
    ) -> Result<(), StoreError> {
        let (rule, value, below) = miles_rule_to(self.miles);
        sqlx::query(
            "UPDATE positions SET title = $1, level = $2, description = $3, miles_rule = $4, miles_value = $5,
                    sort_order = $6, archived_at = NULL,
                    updated_at = CASE WHEN $7 = 1 THEN $8 ELSE updated_at END,
                    plural = $10, miles_below = $11
              WHERE id = $9",
        )
        .bind(self.title.as_str())
        .bind(self.level.as_str())
        .bind(self.description.as_str())
        .bind(rule)
        .bind(value)
        .bind(order)
        .bind(i64::from(content_changed))
        .bind(w.now)
        .bind(id)
        .bind(self.plural.as_str())
        .bind(below)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
