-- One record's attempt.
INSERT INTO {sync_events} (run_id, record_uuid, size_code, operation, outcome, error_code,
                           error_message, request_id, monday_id, attempt)
VALUES (:run_id, :record_uuid, :size_code, :operation, :outcome, :error_code,
        :error_message, :request_id, :monday_id, :attempt)
