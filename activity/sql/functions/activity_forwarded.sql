-- Whether a call with this api_usage_logs.response_code was forwarded to its model's upstream: answered
-- 2xx, or failed by the upstream (502 unreachable or invalid, 504 timed out). Every other code is a call
-- the platform refused before forwarding it, which no public figure of the model counts.
CREATE OR REPLACE FUNCTION activity_forwarded(p_code integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN p_code BETWEEN 200 AND 299 OR p_code IN (502, 504);
