-- wrk script: sends the bench credentials and prints the figures as one JSON line.
-- BENCH_AUTH is a full header line, e.g. "Authorization: Bearer x" or "Cookie: session=y".
local auth = os.getenv("BENCH_AUTH") or ""
local name, value = auth:match("^([^:]+):%s*(.*)$")
if name then
  wrk.headers[name] = value
end
wrk.headers["Accept-Encoding"] = "gzip"

-- No response() hook: defining one makes wrk hand every body to Lua and slows it.
-- errors.status counts answers with a status of 400 or above.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, ' ..
    '"timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean, errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
