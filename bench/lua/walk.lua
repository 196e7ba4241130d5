-- Walks a list of requests, one per line of the file named by the first argument, each line
-- "METHOD<tab>PATH<tab>BODY", or "METHOD<tab>PATH<tab>BODY<tab>AUTHORIZATION" to send that
-- Authorization header in place of wrk's. Thread t of n (the second argument) sends lines t, t + n, t + 2n, ...,
-- so no request is sent twice until the list runs out; then it starts over. Headers come from
-- wrk's -H options. At the end it prints "refused STATUS COUNT FIRST-BODY" for each status >= 300.

local threads = {}

function setup(thread)
  thread:set("first", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  local stride = tonumber(args[2])
  requests, sent, refused, first_body = {}, 0, {}, {}
  local number = 0
  for line in io.lines(args[1]) do
    if number % stride == first then
      local method, path, body, authorization = line:match("^(%u+)\t([^\t]+)\t([^\t]*)\t?(.*)$")
      local headers = nil
      if authorization ~= "" then
        headers = {}
        for name, value in pairs(wrk.headers) do
          headers[name] = value
        end
        headers["Authorization"] = authorization
      end
      requests[#requests + 1] = wrk.format(method, path, headers, body ~= "" and body or nil)
    end
    number = number + 1
  end
end

function request()
  sent = sent + 1
  return requests[(sent - 1) % #requests + 1]
end

function response(status, headers, body)
  if status >= 300 then
    refused[status] = (refused[status] or 0) + 1
    first_body[status] = first_body[status] or body:sub(1, 200):gsub("%s+", " ")
  end
end

function done(summary, latency, requests)
  local totals, bodies = {}, {}
  for _, thread in ipairs(threads) do
    local bodies_of = thread:get("first_body")
    for status, count in pairs(thread:get("refused")) do
      totals[status] = (totals[status] or 0) + count
      bodies[status] = bodies[status] or bodies_of[status]
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("refused %d %d %s\n", status, count, bodies[status]))
  end
end
