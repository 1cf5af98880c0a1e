-- wrk script for bench/relay_bench.py (run that, not this).
--   wrk ... -s bench/wrk/relay.lua <base url> -- get <path>
--   wrk ... -s bench/wrk/relay.lua <base url> -- register <path> <csrf form token> <csrf cookie> <run id> <form body>
-- Every request looks like a browser behind the production TLS proxy (X-Forwarded-Proto: https).
-- A registration is a new person each time: a unique email and phone number, and the CSRF
-- cookie and form token that the page handed out, as a browser that loaded it would send them.
-- done() prints one JSON line that relay_bench.py reads.

local threads = {}
local mode, path, form_token, csrf_cookie, run_id, form_body
local counter = 0
local fixed_request
-- Globals, so that done() can read them from each thread with thread:get().
thread_id = 0
issued = 0
statuses = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  mode, path = args[1], args[2]
  form_token, csrf_cookie, run_id, form_body = args[3], args[4], args[5], args[6]
  local origin = "https://" .. wrk.host .. ":" .. wrk.port
  wrk.headers["X-Forwarded-Proto"] = "https"
  wrk.headers["Accept-Language"] = "ja"
  wrk.headers["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) careerrelay-bench"
  if mode == "register" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Cookie"] = "csrftoken=" .. csrf_cookie
    wrk.headers["Origin"] = origin
    wrk.headers["Referer"] = origin .. path
  else
    fixed_request = wrk.format("GET", path)
    response = nil -- wrk then skips body parsing for GETs; the server's access log checks statuses
  end
end

function request()
  issued = issued + 1
  if fixed_request then
    return fixed_request
  end
  counter = counter + 1
  local email = string.format("bench-%s-%d-%d%%40example.com", run_id, thread_id, counter)
  local phone = string.format("090%08d", (thread_id * 10000000 + counter) % 100000000)
  local body = "csrfmiddlewaretoken=" .. form_token .. "&" .. form_body .. "&email=" .. email .. "&phone=" .. phone
  return wrk.format(nil, path, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local issued_total, by_status = 0, {}
  for _, thread in ipairs(threads) do
    issued_total = issued_total + (thread:get("issued") or 0)
    local counts = thread:get("statuses") or {}
    for status, n in pairs(counts) do
      by_status[tostring(status)] = (by_status[tostring(status)] or 0) + n
    end
  end
  local e = summary.errors
  local parts = {
    string.format('"requests": %d', summary.requests),
    string.format('"duration_us": %d', summary.duration),
    string.format('"issued": %d', issued_total),
    string.format('"p50_us": %d', latency:percentile(50)),
    string.format('"p90_us": %d', latency:percentile(90)),
    string.format('"p99_us": %d', latency:percentile(99)),
    string.format('"max_us": %d', latency.max),
    string.format('"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}',
      e.connect, e.read, e.write, e.status, e.timeout),
  }
  local statuses_json = {}
  for status, n in pairs(by_status) do
    table.insert(statuses_json, string.format('"%s": %d', status, n))
  end
  table.insert(parts, '"statuses": {' .. table.concat(statuses_json, ", ") .. "}")
  io.write("BENCH_JSON {" .. table.concat(parts, ", ") .. "}\n")
end
