-- wrk script for cmd/loadtest: each thread alternates createOrder, with a
-- merchant_order_reference no other request uses, and getOrder of the order
-- made during setup, and counts every answer that is not 2xx.
--
-- Arguments after wrk's "--": TOKEN ORDER_ID BODY_FILE RUN_ID. BODY_FILE is
-- the create-order body with @@REF@@ where the reference goes; RUN_ID starts
-- every reference and Request-ID, so runs never reuse one.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } loadtest_timeval;
int gettimeofday(loadtest_timeval *tv, void *tz);
]]

-- Globals the main state reads from each thread in done().
thread_id = 0
answered = 0
non2xx = 0
first_non2xx = ""

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_id", #threads)
end

local run_id, body_head, body_tail, post_head, get_request_head
local n = 0

-- Requests are built by concatenation from parts fixed in init: wrk.format
-- builds a table and formats each header on every call, which costs wrk
-- as much CPU as the server it measures.
function init(args)
  local token, order_id, body_file = args[1], args[2], args[3]
  run_id = args[4]
  local f = assert(io.open(body_file, "rb"))
  local body = f:read("*a")
  f:close()
  body_head, body_tail = body:match("^(.-)@@REF@@(.*)$")
  assert(body_head, "no @@REF@@ in " .. body_file)
  local common = "Host: " .. wrk.headers["Host"] .. "\r\n" ..
    "Authorization: Bearer " .. token .. "\r\n" ..
    "Content-Type: application/json\r\n" ..
    "Request-ID: "
  post_head = "POST /api/pay/v1/orders HTTP/1.1\r\n" .. common
  get_request_head = "GET /api/pay/v1/orders/" .. order_id .. " HTTP/1.1\r\n" .. common
end

-- Request-Timestamp wants milliseconds, which os.time lacks; the text of the
-- whole second is built once a second.
local tv = ffi.new("loadtest_timeval")
local last_sec, sec_text = -1, ""

local function timestamp()
  ffi.C.gettimeofday(tv, nil)
  local sec = tonumber(tv.tv_sec)
  if sec ~= last_sec then
    last_sec, sec_text = sec, os.date("!%Y-%m-%dT%H:%M:%S.", sec)
  end
  return sec_text .. string.format("%03dZ", math.floor(tonumber(tv.tv_usec) / 1000))
end

function request()
  n = n + 1
  -- The Request-ID doubles as the merchant_order_reference: both must be
  -- unique, and the reference allows only letters, digits, - and _.
  local id = run_id .. "-" .. thread_id .. "-" .. n
  if n % 2 == 1 then
    local body = body_head .. id .. body_tail
    return post_head .. id .. "\r\nRequest-Timestamp: " .. timestamp() ..
      "\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
  end
  return get_request_head .. id .. "\r\nRequest-Timestamp: " .. timestamp() .. "\r\n\r\n"
end

function response(status, headers, body)
  answered = answered + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_non2xx == "" then
      first_non2xx = status .. " " .. (body or ""):sub(1, 400):gsub("%s+", " ")
    end
  end
end

function done(summary, latency, requests)
  local seen, bad, first = 0, 0, ""
  for _, t in ipairs(threads) do
    seen = seen + t:get("answered")
    bad = bad + t:get("non2xx")
    if first == "" then first = t:get("first_non2xx") end
  end
  io.write(string.format("loadtest: responses=%d non2xx=%d\n", seen, bad))
  if first ~= "" then
    io.write("loadtest: first non-2xx: " .. first .. "\n")
  end
end
