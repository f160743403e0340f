-- The framework of each organization. Ids are TEXT, times unix ms (BIGINT),
-- flags INTEGER 0/1, lists JSON TEXT: the types sqlx's Any driver decodes on
-- both backends. Child tables carry org_id so every query can be scoped by
-- organization without a join.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    miles       TEXT NOT NULL,              -- JSON array of five integers
    published   INTEGER NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE abilities (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT,
    description TEXT NOT NULL,
    sort_order  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    archived_at BIGINT,
    UNIQUE (org_id, slug)
);

CREATE TABLE milestones (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    ability_id  TEXT NOT NULL REFERENCES abilities (id),
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    summary     TEXT NOT NULL,
    examples    TEXT NOT NULL,              -- JSON array of strings
    PRIMARY KEY (ability_id, level)
);
CREATE INDEX milestones_org ON milestones (org_id);

CREATE TABLE roles (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    plural      TEXT NOT NULL,
    description TEXT NOT NULL,
    sort_order  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    archived_at BIGINT,
    UNIQUE (org_id, slug)
);

CREATE TABLE role_requirements (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    role_id     TEXT NOT NULL REFERENCES roles (id),
    ability_id  TEXT NOT NULL REFERENCES abilities (id),
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    sort_order  BIGINT NOT NULL,
    PRIMARY KEY (role_id, ability_id)
);
CREATE INDEX role_requirements_org ON role_requirements (org_id);
CREATE INDEX role_requirements_ability ON role_requirements (ability_id);

CREATE TABLE positions (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    slug        TEXT NOT NULL,
    title       TEXT NOT NULL,
    level       TEXT NOT NULL,
    description TEXT NOT NULL,
    miles_rule  TEXT NOT NULL,              -- required | over_required_percent | at_least
    miles_value BIGINT NOT NULL,
    sort_order  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    archived_at BIGINT,
    UNIQUE (org_id, slug)
);

CREATE TABLE position_roles (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    position_id TEXT NOT NULL REFERENCES positions (id),
    role_id     TEXT NOT NULL REFERENCES roles (id),
    kind        TEXT NOT NULL,              -- required | suggested
    sort_order  BIGINT NOT NULL,
    PRIMARY KEY (position_id, role_id)
);
CREATE INDEX position_roles_org ON position_roles (org_id);

CREATE TABLE position_requirements (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    position_id TEXT NOT NULL REFERENCES positions (id),
    ability_id  TEXT NOT NULL REFERENCES abilities (id),
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    sort_order  BIGINT NOT NULL,
    PRIMARY KEY (position_id, ability_id)
);
CREATE INDEX position_requirements_org ON position_requirements (org_id);
CREATE INDEX position_requirements_ability ON position_requirements (ability_id);
