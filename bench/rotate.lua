-- wrk script: GET requests rotating over the lines of a file given after
-- `--`: PATH, optionally a TAB and a Cookie header value. Each thread
-- starts at its own line so connections do not march in step.
local requests = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    local path, cookie = line:match("^([^\t]+)\t?(.*)$")
    local headers = {}
    if cookie ~= nil and cookie ~= "" then headers["Cookie"] = cookie end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  i = math.random(#requests)
end

function request()
  i = i % #requests + 1
  return requests[i]
end
