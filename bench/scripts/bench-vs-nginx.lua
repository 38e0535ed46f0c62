-- wrk script of bench/scripts/bench-vs-nginx.sh: one request shape per run, every response checked.
--
-- Environment (set by the harness):
--   BENCH_METHOD     POST, PUT or GET
--   BENCH_PATH       the request path; with BENCH_NEW_PATH=1 a prefix to which "<thread>-<n>.wav" is appended,
--                    so each request writes a new file
--   BENCH_BODY_FILE  the body, byte for byte (optional)
--   BENCH_HEADERS    extra header lines, each ending in CRLF (optional; e.g. Content-Type and Authorization)
--   BENCH_CHECK      what a good response is beyond a 2xx status:
--                      status            nothing more
--                      result0           a CC-FS answer whose resultCode is "0"
--                      result0:<text>    ...that also contains <text> (e.g. the expected hash)
--                      bytes:<n>         a body of exactly n bytes that does not start with "{" (not a JSON answer)
--   BENCH_OUT        file to which done() appends one tab-separated line of results
--
-- Every thread builds each request the same way (request line and headers, then the body appended), whether its
-- path changes or not, so both servers cost the load generator the same per request.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local new_path = os.getenv("BENCH_NEW_PATH") == "1"
local extra_headers = os.getenv("BENCH_HEADERS") or ""
local check = os.getenv("BENCH_CHECK") or "status"

local body = ""
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  body = f:read("*a")
  f:close()
end

local expected_text, expected_bytes
if check:sub(1, 8) == "result0:" then
  expected_text = check:sub(9)
  check = "result0"
elseif check:sub(1, 6) == "bytes:" then
  expected_bytes = tonumber(check:sub(7))
  check = "bytes"
end

-- Set per thread by setup(); read back by done().
id = 0
sent = 0
responses = 0
failures = 0
first_failure = ""

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

local head_rest

function init(args)
  local host = wrk.headers["Host"]
  head_rest = " HTTP/1.1\r\nHost: " .. host .. "\r\n" .. extra_headers
  if method ~= "GET" then
    head_rest = head_rest .. "Content-Length: " .. #body .. "\r\n"
  end
  head_rest = head_rest .. "\r\n"
end

function request()
  sent = sent + 1
  local target = path
  if new_path then
    target = path .. id .. "-" .. sent .. ".wav"
  end
  return method .. " " .. target .. head_rest .. body
end

local function fail(status, why)
  failures = failures + 1
  if first_failure == "" then
    first_failure = ("HTTP " .. status .. ": " .. why):gsub("[\t\r\n]", " "):sub(1, 300)
  end
end

function response(status, headers, answer)
  responses = responses + 1
  if status < 200 or status > 299 then
    fail(status, answer or "")
  elseif check == "result0" then
    if not answer:find('"resultCode"%s*:%s*"0"') then
      fail(status, answer)
    elseif expected_text and not answer:find(expected_text, 1, true) then
      fail(status, "no " .. expected_text .. " in " .. answer)
    end
  elseif check == "bytes" then
    if #answer ~= expected_bytes or answer:sub(1, 1) == "{" then
      fail(status, #answer .. " bytes, " .. expected_bytes .. " expected: " .. answer:sub(1, 200))
    end
  end
end

function done(summary, latency, requests)
  local counted, failed, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    counted = counted + thread:get("responses")
    failed = failed + thread:get("failures")
    local f = thread:get("first_failure")
    if first == "" and f ~= "" then
      first = f
    end
  end

  local e = summary.errors
  local out = assert(io.open(assert(os.getenv("BENCH_OUT"), "BENCH_OUT is not set"), "a"))
  out:write(table.concat({
    summary.requests, summary.duration, counted, failed,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max,
    first == "" and "-" or first,
  }, "\t"), "\n")
  out:close()
end
