-- wrk script of bench/login_abuse: each connection logs in with a wrong password for a
-- username that changes every time, the worst case for auth (no lockout ever spares it the
-- Argon2 work), or for the one username given after `--`; the answers are counted by status.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  statuses = {}
  username = args[1]
end

function request()
  sent = sent + 1
  local name = username or string.format("ghost_%d_%d", id, sent)
  local body = string.format('{"username":"%s","password":"wrong-password-%d"}', name, sent)
  return wrk.format("POST", "/auth/login", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d: %d\n", status, count))
  end
end
