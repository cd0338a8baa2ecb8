-- wrk script: optional POST body, a rotating list of session cookies (one signed-in reader after another)
-- and a random query parameter per request (links as WeChat shares them) from the environment, and a
-- JSON line of figures at the end.
local method = os.getenv("WRK_METHOD")
local body = os.getenv("WRK_BODY")
local random_param = os.getenv("WRK_RANDOM_PARAM")
local cookies = {}
for cookie in string.gmatch(os.getenv("WRK_COOKIES") or "", "[^\n]+") do
  table.insert(cookies, cookie)
end
if method then wrk.method = method end
if body then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local counter = 0
if #cookies > 0 or random_param then
  init = function(args)
    -- each thread its own sequence: the address of a fresh table differs from thread to thread
    math.randomseed(os.time() + tonumber(string.match(tostring({}), "0x(%x+)") or "0", 16) % 100000)
    counter = math.random(0, 1000)
  end
  request = function()
    counter = counter + 1
    local path = wrk.path
    if random_param then
      local glue = string.find(path, "?", 1, true) and "&" or "?"
      path = path .. glue .. random_param .. "=" .. tostring(math.random(1, 1000000000))
    end
    local headers = {}
    for k, v in pairs(wrk.headers) do headers[k] = v end
    if #cookies > 0 then
      headers["Cookie"] = cookies[(counter % #cookies) + 1]
    end
    return wrk.format(nil, path, headers, wrk.body)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"errors": %d, "non_2xx_3xx": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
