-- wrk script: writes observations and publishes them, alternating. The
-- file after `--` has lines ORG<TAB>COOKIE<TAB>PERSON-ID. Each wrk thread
-- writes as one of those people (only the observer may publish, and a
-- response does not say who asked), about the others in turn, then
-- publishes each draft as it comes back. POSTs carry form bodies and no
-- Origin header, as a non-browser client sends.
local lines = {}
local me
local pending = {}
local published = {}
local n = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  for line in io.lines(args[1]) do
    local org, cookie, person = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
    lines[#lines + 1] = { org = org, cookie = cookie, person = person }
  end
  me = lines[((tid or 1) - 1) % #lines + 1]
end

local function headers()
  return { ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = me.cookie }
end

function request()
  if #pending > 0 then
    local path = table.remove(pending, 1)
    published[path] = true
    return wrk.format("POST", path .. "/publish", headers(), "privacy=organization")
  end
  n = n % #lines + 1
  if lines[n].person == me.person then n = n % #lines + 1 end
  local body = "observee=" .. lines[n].person ..
    "&observed_on=2026-11-02&story=Benchmark%3A+paired+on+a+hard+bug.&rate_ability-3=strong"
  return wrk.format("POST", "/" .. me.org .. "/observations/new", headers(), body)
end

function response(status, hdrs, body)
  local location = hdrs["Location"] or hdrs["location"]
  if status == 303 and location and not published[location] then
    pending[#pending + 1] = location
  end
end
