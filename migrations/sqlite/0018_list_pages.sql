-- Lists read a page at a time in their own order instead of sorting every row. The PostgreSQL
-- twin is migrations/postgres/0018_list_pages.sql.

-- Invites, newest first with a (created_at, id) cursor.
CREATE INDEX invites_created ON invites (created_at, id);

-- The unit dashboard's project list: one index per sort (db::dashboard::order_by, whose
-- expressions these repeat exactly), all of the unit's projects or those of one status
-- ((unit_id, created_at) exists since 0016). "Nothing yet" sorts last through the CASE.
CREATE INDEX projects_unit_status_created ON projects (unit_id, status, created_at, id);
CREATE INDEX projects_unit_size ON projects (unit_id, size_bytes, id);
CREATE INDEX projects_unit_status_size ON projects (unit_id, status, size_bytes, id);
CREATE INDEX projects_unit_title ON projects (unit_id, LOWER(title), id);
CREATE INDEX projects_unit_status_title ON projects (unit_id, status, LOWER(title), id);
CREATE INDEX projects_unit_deadline
    ON projects (unit_id, (CASE WHEN deadline IS NULL THEN 1 ELSE 0 END), deadline, id);
CREATE INDEX projects_unit_status_deadline
    ON projects (unit_id, status, (CASE WHEN deadline IS NULL THEN 1 ELSE 0 END), deadline, id);
CREATE INDEX projects_unit_delivery
    ON projects (unit_id, (CASE WHEN last_delivery_at IS NULL THEN 0 ELSE 1 END), last_delivery_at, id);
CREATE INDEX projects_unit_status_delivery
    ON projects (unit_id, status, (CASE WHEN last_delivery_at IS NULL THEN 0 ELSE 1 END), last_delivery_at, id);
