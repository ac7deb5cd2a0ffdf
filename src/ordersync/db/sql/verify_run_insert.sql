-- One verify pass (ordersync verify): its reads and its differences per kind.
INSERT INTO {verify_runs} (board_id, status, repaired, started_at, orders, items_read,
                           subitems_read, requests, complexity, differences, {kinds})
VALUES (:board_id, :status, :repaired, :started_at, :orders, :items_read, :subitems_read,
        :requests, :complexity, :differences, {kind_params})
