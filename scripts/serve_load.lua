-- wrk script for scripts/serve_load.sh: POSTs single-user /recommend requests whose bodies are
-- real histories (one JSON body per line of $BODIES), cycling through them.
--   $DELAY_MS   > 0: each connection waits this long before each request (a fixed rate of
--               connections x 1000 / DELAY_MS requests/s while the server keeps up)
--   $PREFIX     path before /recommend (e.g. /ease for an app with MapEase("/ease")); default none
--   $MODEL_IDS  comma-separated model ids: every response body must name one of them
--               (the body is then parsed, which costs wrk some throughput)
local threads = {}
local counter = 1

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   requests = {}
   local headers = { ["Content-Type"] = "application/json" }
   for line in io.lines(os.getenv("BODIES")) do
      requests[#requests + 1] = wrk.format("POST", (os.getenv("PREFIX") or "") .. "/recommend", headers, line)
   end
   next_request = (id * 7919) % #requests + 1
   delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
   allowed = nil
   local ids = os.getenv("MODEL_IDS") or ""
   if ids ~= "" then
      allowed = {}
      for m in string.gmatch(ids, "[^,]+") do allowed[m] = true end
   end
   non200 = 0
   bad_model = 0
   seen = {}
end

function request()
   local r = requests[next_request]
   next_request = next_request % #requests + 1
   return r
end

if tonumber(os.getenv("DELAY_MS") or "0") > 0 then
   function delay()
      return delay_ms
   end
end

function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
   end
   if allowed ~= nil then
      local m = string.match(body, '"model":"([^"]*)"')
      if m == nil or not allowed[m] then
         bad_model = bad_model + 1
      else
         seen[m] = (seen[m] or 0) + 1
      end
   end
end

function done(summary, latency, requests)
   local total_non200, total_bad, models = 0, 0, {}
   for _, t in ipairs(threads) do
      total_non200 = total_non200 + t:get("non200")
      total_bad = total_bad + t:get("bad_model")
      local s = t:get("seen")
      if s ~= nil then
         for m, n in pairs(s) do models[m] = (models[m] or 0) + n end
      end
   end
   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d bad_model=%d\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
      total_non200, socket_errors, total_bad))
   for m, n in pairs(models) do
      io.write(string.format("RESULT model %s responses=%d\n", m, n))
   end
end
