-- A group's id on the board, by board and title (the group registry); a title already
-- registered keeps its id.
INSERT INTO {monday_groups} (board_id, group_name, group_id)
VALUES (:b, :name, :id)
ON CONFLICT DO NOTHING
